package rocketchat

import (
	"bytes"
	stdjson "encoding/json"
	"os"
	"path/filepath"
	"testing"

	json "github.com/go-json-experiment/json"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// FuzzDecodeInstances checks that no body makes the decoder panic, and
// that whatever decodes survives a marshal and decode again unchanged,
// with encoding/json/v2 and with encoding/json.
func FuzzDecodeInstances(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "instances_*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no golden files to seed from: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	// Shapes the golden files do not hold.
	f.Add([]byte(`{"instances":[{"_createdAt":{"$date":-1.5e3},"extraInformation":{"host":"undefined","port":"undefined","os":{"uptime":1e-9}}}]}`))
	f.Add([]byte(`{"instances":[null,{"instanceRecord":null,"connection":null},{"_updatedAt":"+010000-01-01T00:00:00.000000001-23:59"}]}`))

	f.Fuzz(func(t *testing.T, body []byte) {
		var viaV1 instancesAnswer
		_ = stdjson.Unmarshal(body, &viaV1) // must not panic either

		var first instancesAnswer
		if err := json.UnmarshalRead(bytes.NewReader(body), &first); err != nil {
			return
		}
		out, err := json.Marshal(first.Instances)
		if err != nil {
			t.Fatalf("v2 marshal of decoded instances: %v", err)
		}
		var again []Instance
		if err := json.Unmarshal(out, &again); err != nil {
			t.Fatalf("v2 decode of our own output %s: %v", out, err)
		}
		// v2 writes a nil slice as [], which decodes to an empty one.
		if diff := cmp.Diff(first.Instances, again, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("v2 round trip through %s changed the instances (-first +again):\n%s", out, diff)
		}

		out, err = stdjson.Marshal(first.Instances)
		if err != nil {
			t.Fatalf("v1 marshal of decoded instances: %v", err)
		}
		again = nil
		if err := stdjson.Unmarshal(out, &again); err != nil {
			t.Fatalf("v1 decode of our own output %s: %v", out, err)
		}
		if diff := cmp.Diff(first.Instances, again, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("v1 round trip through %s changed the instances (-first +again):\n%s", out, diff)
		}
	})
}
