package dcc

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

// ValueSets are the eHN value sets as rules see them in
// external.valueSets: each value set id mapped to its codes.
type ValueSets map[string][]any

// MaxValueSetFile bounds one value set file.
const MaxValueSetFile = 16 << 20

// LoadValueSets reads value sets from a file or a folder of *.json files.
// A file is either one value set in the eHN format ({"valueSetId",
// "valueSetValues": {code: {...}}}), or the compressed form rules see
// ({id: [codes]}), as the Gateway and the public test data publish them.
func LoadValueSets(p string) (ValueSets, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("dcc value sets: %w", err)
	}
	files := []string{p}
	if st.IsDir() {
		if files, err = filepath.Glob(filepath.Join(p, "*.json")); err != nil {
			return nil, fmt.Errorf("dcc value sets: %w", err)
		}
		sort.Strings(files)
	}
	vs := ValueSets{}
	for _, f := range files {
		if err := vs.readFile(f); err != nil {
			return nil, fmt.Errorf("dcc value sets: %s: %w", f, err)
		}
	}
	if len(vs) == 0 {
		return nil, fmt.Errorf("dcc value sets: no value set in %s", p)
	}
	return vs, nil
}

func (vs ValueSets) readFile(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := readLimited(f, MaxValueSetFile)
	if err != nil {
		return err
	}
	return vs.Parse(data)
}

// Parse adds the value sets of one file's content (either format).
func (vs ValueSets) Parse(data []byte) error {
	var full struct {
		ID     string                     `json:"valueSetId"`
		Values map[string]json.RawMessage `json:"valueSetValues"`
	}
	if err := json.Unmarshal(data, &full); err == nil && full.ID != "" {
		codes := make([]string, 0, len(full.Values))
		for c := range full.Values {
			codes = append(codes, c)
		}
		sort.Strings(codes)
		vs[full.ID] = stringsToAny(codes)
		return nil
	}
	var compressed map[string][]string
	if err := json.Unmarshal(data, &compressed); err != nil {
		return errors.New("neither an eHN value set nor a map of value set ids to codes")
	}
	for id, codes := range compressed {
		vs[id] = stringsToAny(codes)
	}
	return nil
}

func stringsToAny(s []string) []any {
	out := make([]any, len(s))
	for i, c := range s {
		out[i] = c
	}
	return out
}

// external is the value of external.valueSets: a JSON object.
func (vs ValueSets) external() map[string]any {
	out := make(map[string]any, len(vs))
	for id, codes := range vs {
		out[id] = codes
	}
	return out
}

// readLimited reads all of r, refusing more than limit bytes.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return data, nil
}
