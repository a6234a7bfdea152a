package rocketchat_test

import (
	"bytes"
	stdjson "encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	json "github.com/go-json-experiment/json"

	"github.com/go-rocketchat/rocketchat"
)

// syntheticAnswer is an instances.get answer from a 6.0+ cluster of n
// members, each with its own address, id, host and figures.
func syntheticAnswer(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"instances":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"address":"10.%d.%d.%d","currentStatus":{"connected":true,"lastHeartbeatTime":%d,"local":%t},`+
			`"instanceRecord":{"_id":"871f8be4-5fdb-45a8-868f-%012x","_createdAt":"2024-05-22T11:14:11.845Z",`+
			`"_updatedAt":"2024-07-05T02:55:%02d.%03dZ","extraInformation":{"host":"10.%d.%d.%d","port":"3000","tcpPort":%d,`+
			`"os":{"type":"Linux","platform":"linux","arch":"x64","release":"5.10.165-143.735.amzn2.x86_64",`+
			`"uptime":%d.%02d,"loadavg":[0.%02d,0.%02d,0.%02d],"totalmem":34359738368,"freemem":%d,"cpus":8},`+
			`"nodeVersion":"v14.21.3","conns":%d},"name":"rocket.chat","pid":1},"broadcastAuth":true}`,
			i>>16&255, i>>8&255, i&255, 16+i, i == 0,
			i, i%60, i%1000,
			i>>16&255, i>>8&255, i&255, 30000+i,
			8455403+i, i%100, i%100, (i+7)%100, (i+13)%100, 198479872+i*4096,
			i%300)
	}
	b.WriteString(`],"success":true}`)
	return []byte(b.String())
}

func BenchmarkDecodeInstances(b *testing.B) {
	for _, name := range []string{"instances_310.json", "instances_5x.json", "instances_6x.json", "instances_8x.json", "instances_mixed.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(strings.TrimSuffix(strings.TrimPrefix(name, "instances_"), ".json"), func(b *testing.B) {
			benchmarkSDK(b, data)
		})
	}
	data := syntheticAnswer(500)
	b.Run("500/sdk", func(b *testing.B) { benchmarkSDK(b, data) })
	b.Run("500/v2-plain-unmarshal", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			var out struct {
				Instances []benchPlainInstance `json:"instances"`
			}
			if err := json.Unmarshal(data, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("500/v1-plain-decoder", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			var out struct {
				Instances []benchPlainInstance `json:"instances"`
			}
			if err := stdjson.NewDecoder(bytes.NewReader(data)).Decode(&out); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("500/v1-plain-unmarshal", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			var out struct {
				Instances []benchPlainInstance `json:"instances"`
			}
			if err := stdjson.Unmarshal(data, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func benchmarkSDK(b *testing.B, data []byte) {
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		var out struct {
			Instances []rocketchat.Instance `json:"instances"`
		}
		if err := json.UnmarshalRead(bytes.NewReader(data), &out); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDecodeAllocsWithinBaseline guards the allocation budget: the SDK
// decodes 500 instances with no more allocations than encoding/json
// needs for the same answer into plain structs.
func TestDecodeAllocsWithinBaseline(t *testing.T) {
	if testing.Short() {
		t.Skip("counts allocations over 500 instances")
	}
	data := syntheticAnswer(500)
	sdk := testing.AllocsPerRun(5, func() {
		var out struct {
			Instances []rocketchat.Instance `json:"instances"`
		}
		if err := json.UnmarshalRead(bytes.NewReader(data), &out); err != nil {
			t.Fatal(err)
		}
	})
	baseline := testing.AllocsPerRun(5, func() {
		var out struct {
			Instances []benchPlainInstance `json:"instances"`
		}
		if err := stdjson.Unmarshal(data, &out); err != nil {
			t.Fatal(err)
		}
	})
	if sdk > baseline {
		t.Errorf("SDK decode of 500 instances makes %.0f allocations, encoding/json into plain structs %.0f", sdk, baseline)
	}
}

// TestSyntheticAnswerDecodes keeps the benchmark honest: its body must
// decode, and to the same values with both decoders.
func TestSyntheticAnswerDecodes(t *testing.T) {
	var got struct {
		Instances []rocketchat.Instance `json:"instances"`
	}
	if err := json.Unmarshal(syntheticAnswer(500), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Instances) != 500 || got.Instances[499].TCPPort != 30499 || !got.Instances[0].Local {
		t.Errorf("synthetic answer decoded to unexpected values: %d instances, last %+v", len(got.Instances), got.Instances[len(got.Instances)-1])
	}
}
