package rocketchattest

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type testParams struct {
	S   string   `json:"s"`
	PS  *string  `json:"ps"`
	B   bool     `json:"b"`
	PB  *bool    `json:"pb"`
	SS  []string `json:"ss"`
	A   []any    `json:"a"`
	Any any      `json:"any"`
}

// TestDecodeParams checks that parameters read as the server's typeof
// checks read a parsed body: a member of another type is missing.
func TestDecodeParams(t *testing.T) {
	x, yes := "x", true
	const form = "application/x-www-form-urlencoded"
	tests := []struct {
		contentType, body string
		want              testParams
	}{
		{"application/json", `{"s":"x","ps":"x","b":true,"pb":true,"ss":["a",1,"b"],"a":[1,{"k":"v"}],"any":{"digest":"d"}}`,
			testParams{S: "x", PS: &x, B: true, PB: &yes, SS: []string{"a", "", "b"}, A: []any{1.0, map[string]any{"k": "v"}}, Any: map[string]any{"digest": "d"}}},
		{"application/json", `{"s":1,"ps":2,"b":"true","pb":"true","ss":"a","a":{},"any":null}`, testParams{}},
		{"application/json", `{"s":null,"ps":null,"b":null,"pb":null,"ss":null,"a":null}`, testParams{}},
		// Names match exactly.
		{"application/json", `{"S":"x","Ps":"x","B":true}`, testParams{}},
		// The last of duplicate members wins, whatever came before.
		{"application/json", `{"s":"y","s":5,"ps":5,"ps":"x","any":"a","any":{"k":1},"a":[1],"a":"z"}`,
			testParams{PS: &x, Any: map[string]any{"k": 1.0}}},
		{"application/json", "{\"s\":\"a\xffb\"}", testParams{S: "a\uFFFDb"}},
		{"application/json", `{"s":"x"} trailing`, testParams{}},
		{"application/json", `["s"]`, testParams{}},
		{"", `{"s":"x"}`, testParams{S: "x"}},
		// Form values are strings: other fields stay zero.
		{form, "s=x&ps=x&b=true&pb=true&ss=a&a=b&any=x&s=z", testParams{S: "x", PS: &x, Any: "x"}},
		{form, "s=%zz", testParams{}},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("POST", "/", strings.NewReader(tt.body))
		r.Header.Set("Content-Type", tt.contentType)
		var got testParams
		decodeParams(r, &got)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s %q (-want +got):\n%s", tt.contentType, tt.body, diff)
		}
	}
}
