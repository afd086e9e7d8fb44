package certlogic_test

import (
	"testing"

	"passdesk/certlogic"
)

// benchRule is shaped like the EU vaccination rules: a guard, a date-time
// window from the payload, the validation clock.
const benchRule = `{"if": [{"var": "payload.v.0"}, {"and": [
	{">=": [{"var": "payload.v.0.dn"}, {"var": "payload.v.0.sd"}]},
	{"in": [{"var": "payload.v.0.mp"}, ["EU/1/20/1528", "EU/1/20/1507", "EU/1/21/1529", "EU/1/20/1525"]]},
	{"not-after": [{"plusTime": [{"var": "payload.v.0.dt"}, 14, "day"]}, {"plusTime": [{"var": "external.validationClock"}, 0, "day"]}, {"plusTime": [{"var": "payload.v.0.dt"}, 365, "day"]}]}
]}, true]}`

const benchData = `{"payload": {"v": [{"tg": "840539006", "mp": "EU/1/20/1528", "dn": 2, "sd": 2, "dt": "2021-05-01"}]},
	"external": {"validationClock": "2021-06-15T12:00:00Z"}}`

func BenchmarkEvaluate(b *testing.B) {
	e, err := certlogic.ParseExpr([]byte(benchRule))
	if err != nil {
		b.Fatal(err)
	}
	data, err := certlogic.ParseJSON([]byte(benchData))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := e.EvaluateBool(data); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

func BenchmarkCompile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := certlogic.ParseExpr([]byte(benchRule)); err != nil {
			b.Fatal(err)
		}
	}
}
