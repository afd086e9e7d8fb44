package passtest

import (
	"bytes"
	"encoding/json"

	"passdesk/pass"
)

// VectorsFile, RootKeyFile: the names of the generated files besides the
// lists.
const (
	VectorsFile = "vectors.json"
	RootKeyFile = "root.key"
)

// Files returns every generated test vector file by name: the lists, the
// root key (base64url, one line) and the vectors as indented JSON.
func Files() (map[string][]byte, error) {
	files := Lists()
	files[RootKeyFile] = []byte(pass.EncodeRootKey(Pub(Root)) + "\n")
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(Cases()); err != nil {
		return nil, err
	}
	files[VectorsFile] = buf.Bytes()
	return files, nil
}
