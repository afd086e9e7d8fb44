package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"passdesk/certlogic"
	"passdesk/pass/dcc"
)

// certLogicMaxLine bounds one request line; a rule with its test data and
// value sets is a few tens of kilobytes.
const certLogicMaxLine = 4 << 20

// certLogicMaxResult bounds one printed result.
const certLogicMaxResult = 1 << 20

// runCertLogic reads {"logic": EXPR, "data": DATA} per line and prints the
// value each evaluates to, or {"error": MESSAGE}; with --validate it reads
// {"logic": EXPR} and prints the array of issues found, [] when valid.
// Blank lines are skipped; every other line gets exactly one line back.
func runCertLogic(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("certlogic", flag.ContinueOnError)
	fs.SetOutput(stderr)
	validate := fs.Bool("validate", false, `validate {"logic": EXPR} lines instead of evaluating: print the array of problems found`)
	fs.Usage = func() {
		fmt.Fprintln(stderr, `usage: passdesk certlogic [--validate] < requests`)
		fmt.Fprintln(stderr, `reads {"logic": EXPR, "data": DATA} per line; prints the value, or {"error": "message"}`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "passdesk certlogic: unexpected argument %q (requests come on stdin)\n", fs.Arg(0))
		return exitUsage
	}
	handle := certLogicEvaluate
	if *validate {
		handle = certLogicValidate
	}
	out := bufio.NewWriter(stdout)
	br := bufio.NewReaderSize(stdin, 64<<10)
	for {
		line, tooLong, err := readRequestLine(br)
		if len(bytes.TrimSpace(line)) > 0 || tooLong {
			var reply []byte
			if tooLong {
				reply = certLogicFailure(*validate, fmt.Sprintf("request longer than %d bytes", certLogicMaxLine))
			} else {
				reply = handle(line)
			}
			out.Write(reply)
			out.WriteByte('\n')
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			out.Flush()
			fmt.Fprintf(stderr, "passdesk certlogic: reading stdin: %v\n", err)
			return exitFail
		}
	}
	if err := out.Flush(); err != nil {
		fmt.Fprintf(stderr, "passdesk certlogic: %v\n", err)
		return exitFail
	}
	return exitOK
}

// readRequestLine reads one line without its ending; a line longer than
// certLogicMaxLine is consumed and reported as too long.
func readRequestLine(br *bufio.Reader) (line []byte, tooLong bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		if !tooLong {
			if len(line)+len(chunk) > certLogicMaxLine+2 {
				tooLong, line = true, nil
			} else {
				line = append(line, chunk...)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		return bytes.TrimRight(line, "\r\n"), tooLong, err
	}
}

// certLogicRequest splits a request line into its parts; logic is nil
// when the line has none.
func certLogicRequest(line []byte) (logic, data any, err error) {
	v, err := certlogic.ParseJSON(line)
	if err != nil {
		return nil, nil, fmt.Errorf("request is not JSON: %v", err)
	}
	req, ok := v.(map[string]any)
	if !ok {
		return nil, nil, errors.New(`request is not a JSON object {"logic": EXPR, "data": DATA}`)
	}
	logic, ok = req["logic"]
	if !ok {
		return nil, nil, errors.New(`request has no "logic"`)
	}
	return logic, req["data"], nil
}

func certLogicEvaluate(line []byte) []byte {
	logic, data, err := certLogicRequest(line)
	if err != nil {
		return certLogicFailure(false, err.Error())
	}
	expr, err := certlogic.Compile(logic)
	if err != nil {
		return certLogicFailure(false, err.Error())
	}
	v, err := expr.Evaluate(data)
	if err != nil {
		return certLogicFailure(false, err.Error())
	}
	b, err := certlogic.MarshalValue(v, certLogicMaxResult)
	if err != nil {
		return certLogicFailure(false, err.Error())
	}
	return b
}

func certLogicValidate(line []byte) []byte {
	logic, _, err := certLogicRequest(line)
	if err != nil {
		return certLogicFailure(true, err.Error())
	}
	issues := certlogic.Validate(logic)
	if issues == nil {
		issues = []certlogic.Issue{}
	}
	b, err := json.Marshal(issues)
	if err != nil {
		return certLogicFailure(true, err.Error())
	}
	return b
}

// certLogicFailure is the reply to a request that could not be handled: an
// error object when evaluating, an array of one issue when validating.
func certLogicFailure(validating bool, msg string) []byte {
	var v any = map[string]string{"error": msg}
	if validating {
		v = []certlogic.Issue{{Message: msg}}
	}
	b, _ := json.Marshal(v)
	return b
}

// addDCCRuleFlags adds the HC1 business rule flags of `passdesk verify`.
func addDCCRuleFlags(fs *flag.FlagSet, f *dcc.Files) {
	fs.StringVar(&f.Rules, "dcc-rules", "", "HC1 business rules: a rule.json file or a `DIR` of them (EU Gateway format); \"off\" for none; default the built-in EU rules")
	fs.StringVar(&f.ValueSets, "dcc-valuesets", "", "eHN value sets the rules read: a file or a `DIR` of *.json")
	fs.StringVar(&f.Country, "dcc-country", "", "country of arrival whose rules apply (`CC`, default EU)")
	fs.StringVar(&f.Revocations, "dcc-revocations", "", "HC1 revocation list `file` (JSON batches of hashes by kid)")
}
