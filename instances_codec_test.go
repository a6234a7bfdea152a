package rocketchat

import (
	"bytes"
	stdjson "encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/google/go-cmp/cmp"
)

// instancesAnswer is the body of GET /api/v1/instances.get.
type instancesAnswer struct {
	Instances []Instance `json:"instances"`
	Success   bool       `json:"success"`
}

// at parses an RFC 3339 time for expected values.
func at(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("bad time in test table: %v", err)
	}
	return tm
}

func readGolden(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("reading golden file: %v", err)
	}
	return b
}

// goldenInstances is every golden file with the instances it holds,
// written out by hand from the files.
func goldenInstances(t *testing.T) map[string][]Instance {
	linuxOS := func(release string, uptime time.Duration, load [3]float64, total, free uint64, cpus int) OS {
		return OS{Type: "Linux", Platform: "linux", Arch: "x64", Release: release, Uptime: uptime,
			LoadAvg: load, TotalMem: total, FreeMem: free, CPUs: cpus}
	}
	armOS := func(release string, uptime time.Duration, load [3]float64, total, free uint64, cpus int) OS {
		o := linuxOS(release, uptime, load, total, free, cpus)
		o.Arch = "arm64"
		return o
	}
	return map[string][]Instance{
		"instances_310.json": {
			{
				ID: "vQZbiEj9fChaa9kjw", Name: "rocket.chat", PID: 1,
				CreatedAt: at(t, "2021-01-12T08:02:17.214Z"), UpdatedAt: at(t, "2021-01-26T14:37:05.903Z"),
				Host: "10.42.15.191", Port: 3000, NodeVersion: "v12.18.4",
				OS: linuxOS("4.15.0-109-generic", 36801050*time.Second, [3]float64{8.66, 9.46, 9.89}, 270450634752, 105877463040, 32),
			},
			{
				ID: "Tx5BkmW8a2JrDz3Qn", Name: "rocket.chat", PID: 7,
				CreatedAt: at(t, "2021-01-26T14:36:51.077Z"), UpdatedAt: at(t, "2021-01-26T14:37:01.102Z"),
				Host: "10.42.15.192", Port: 3000, NodeVersion: "v12.18.4",
				OS: linuxOS("4.15.0-109-generic", 1209884*time.Second, [3]float64{0.52, 0.31, 0.27}, 67447971840, 59118276608, 8),
			},
		},
		"instances_5x.json": {
			{
				ID: "q9Hc3WkMzXoEa7TfB", Name: "rocket.chat", PID: 1,
				CreatedAt: at(t, "2022-11-03T09:15:42.118Z"), UpdatedAt: at(t, "2022-11-21T16:48:09.350Z"),
				Host: "10.0.0.11", Port: 3000, NodeVersion: "v14.19.3",
				OS: linuxOS("5.4.0-131-generic", 1581337*time.Second, [3]float64{1.37, 1.12, 0.98}, 16766885888, 6021537792, 4),
			},
			{
				ID: "Yt2mNbR8xKp4LsDvQ", Name: "rocket.chat", PID: 1,
				CreatedAt: at(t, "2022-11-03T09:16:05.764Z"), UpdatedAt: at(t, "2022-11-21T16:48:07.981Z"),
				Host: "10.0.0.12", Port: 3000, NodeVersion: "v14.19.3",
				OS:      linuxOS("5.4.0-131-generic", 1581302*time.Second, [3]float64{0.84, 0.91, 0.88}, 16766885888, 7304261632, 4),
				Address: "10.0.0.12:3000/", Connected: true, BroadcastAuth: true,
			},
			{
				ID: "dG7sLw3ZrFq9JcXhE", Name: "rocket.chat", PID: 1,
				CreatedAt: at(t, "2022-11-21T16:41:33.502Z"), UpdatedAt: at(t, "2022-11-21T16:47:58.217Z"),
				Host: "10.0.0.13", Port: 3000, NodeVersion: "v14.19.3",
				OS:      armOS("5.15.0-1021-aws", 412*time.Second, [3]float64{3.02, 1.41, 0.55}, 8241434624, 3126853632, 2),
				Address: "10.0.0.13:3000/",
			},
		},
		"instances_6x.json": {
			{
				ID: "871f8be4-5fdb-45a8-868f-8d3e28a39148", Name: "rocket.chat", PID: 1,
				CreatedAt: at(t, "2024-05-22T11:14:11.845Z"), UpdatedAt: at(t, "2024-07-05T02:55:40.526Z"),
				Host: "localhost", Port: 3000, TCPPort: 46443, NodeVersion: "v14.21.3", Conns: 1,
				OS: linuxOS("5.10.165-143.735.amzn2.x86_64", 8455403*time.Second+280*time.Millisecond,
					[3]float64{0.41, 0.17, 0.15}, 4110323712, 198479872, 2),
				Address: "localhost", Connected: true, Local: true, ProcessUptime: 16 * time.Second, BroadcastAuth: true,
			},
			{
				ID: "2c9a4f51-0e7d-4b3a-9f86-d15e7b04a3c2", Name: "rocket.chat", PID: 1,
				CreatedAt: at(t, "2024-07-04T23:49:54.112Z"), UpdatedAt: at(t, "2024-07-05T02:55:37.904Z"),
				Host: "10.12.3.27", Port: 3000, TCPPort: 39217, NodeVersion: "v14.21.3", Conns: 3,
				OS: linuxOS("5.10.165-143.735.amzn2.x86_64", 8455381*time.Second+910*time.Millisecond,
					[3]float64{0.22, 0.19, 0.12}, 4110323712, 1127505920, 2),
				Address: "10.12.3.27", Connected: true, ProcessUptime: 3907 * time.Second, BroadcastAuth: true,
			},
		},
		"instances_8x.json": {
			{
				ID: "5f0d6c1e-8b2a-4e93-a7c4-3e9b1f2d8a60", Name: "rocket.chat", PID: 1,
				CreatedAt: at(t, "2025-09-18T07:02:44.310Z"), UpdatedAt: at(t, "2025-09-19T07:01:46.782Z"),
				Host: "10.20.0.11", Port: 3000, TCPPort: 37531, NodeVersion: "v22.16.0", Conns: 214,
				OS: linuxOS("6.8.0-1015-aws", 1296433*time.Second+570*time.Millisecond,
					[3]float64{2.14, 1.87, 1.66}, 33280798720, 14893285376, 8),
				Address: "10.20.0.11", Connected: true, Local: true, ProcessUptime: 86342 * time.Second, BroadcastAuth: true,
			},
			{
				ID: "b7e2940a-1c5d-4f38-8e6b-92a0d4c7f315", Name: "rocket.chat", PID: 1,
				CreatedAt: at(t, "2025-09-18T07:03:15.928Z"), UpdatedAt: at(t, "2025-09-19T07:01:43.055Z"),
				Host: "10.20.0.12", Port: 3000, NodeVersion: "v22.16.0", Conns: 187,
				OS: linuxOS("6.8.0-1015-aws", 1296401*time.Second+20*time.Millisecond,
					[3]float64{1.73, 1.69, 1.58}, 33280798720, 15726505984, 8),
				Address: "10.20.0.12", Connected: true, ProcessUptime: 86311 * time.Second, BroadcastAuth: true,
			},
			{
				ID: "e41c7b98-3d0f-4a26-b5e1-6f8c2a9d0b47", Name: "rocket.chat", PID: 1,
				CreatedAt: at(t, "2025-09-17T22:40:09.604Z"), UpdatedAt: at(t, "2025-09-19T06:59:58.331Z"),
				Host: "10.20.0.13", NodeVersion: "v22.16.0",
				OS: armOS("6.8.0-1015-aws", 30611*time.Second+400*time.Millisecond,
					[3]float64{0.05, 0.11, 0.09}, 16499802112, 12075859968, 4),
				BroadcastAuth: true,
			},
			{
				ID: "0a93d5f2-7e14-4c8b-9d60-c2b7e81f4a59", Name: "ddp-streamer", PID: 1,
				CreatedAt: at(t, "2025-09-18T07:03:38.241Z"), UpdatedAt: at(t, "2025-09-19T07:01:44.617Z"),
				Address: "10.20.0.31", Connected: true, ProcessUptime: 86290 * time.Second, BroadcastAuth: true,
			},
		},
		"instances_mixed.json": {
			{
				ID: "c3d8e2f1-4a6b-4f0e-8c1d-7b5a9e3f2d10", Name: "rocket.chat", PID: 1,
				CreatedAt: at(t, "2023-01-16T10:22:05.417Z"), UpdatedAt: at(t, "2023-01-16T10:30:37.662Z"),
				Host: "10.30.1.5", Port: 3000, TCPPort: 40871, NodeVersion: "v14.21.2",
				OS: linuxOS("5.15.0-58-generic", 2416023*time.Second+750*time.Millisecond,
					[3]float64{0.93, 0.74, 0.61}, 12541607936, 4981907456, 4),
				Address: "10.30.1.5", Connected: true, Local: true, ProcessUptime: 512 * time.Second, BroadcastAuth: true,
			},
			{
				ID: "pA4nW9cX2sRk7HqZd", Name: "rocket.chat", PID: 1,
				CreatedAt: at(t, "2023-01-02T08:11:48.903Z"), UpdatedAt: at(t, "2023-01-16T10:30:31.228Z"),
				Host: "10.30.1.6", Port: 3000, NodeVersion: "v14.19.3",
				OS: linuxOS("5.15.0-58-generic", 2415987*time.Second,
					[3]float64{0.48, 0.52, 0.5}, 12541607936, 5873360896, 4),
				Address: "10.30.1.6:3000/", Connected: true, BroadcastAuth: true,
			},
			{
				ID: "Lm3vB8dQ5tYw2KfGs", Name: "rocket.chat", PID: 1,
				CreatedAt: at(t, "2023-01-02T08:12:20.085Z"), UpdatedAt: at(t, "2023-01-16T10:30:29.774Z"),
				Port: 3000, NodeVersion: "v14.19.3",
				OS: linuxOS("5.15.0-58-generic", 2415990*time.Second,
					[3]float64{0.31, 0.44, 0.47}, 12541607936, 6110420992, 4),
			},
		},
	}
}

func TestGoldenFilesAllCovered(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "instances_*.json"))
	if err != nil {
		t.Fatal(err)
	}
	golden := goldenInstances(t)
	for _, f := range files {
		if _, ok := golden[filepath.Base(f)]; !ok {
			t.Errorf("%s has no expected instances in goldenInstances", f)
		}
	}
	if len(files) != len(golden) {
		t.Errorf("found %d golden files, goldenInstances lists %d", len(files), len(golden))
	}
}

func TestDecodeGoldenV2(t *testing.T) {
	for name, want := range goldenInstances(t) {
		t.Run(name, func(t *testing.T) {
			var got instancesAnswer
			if err := json.UnmarshalRead(bytes.NewReader(readGolden(t, name)), &got); err != nil {
				t.Fatalf("json.UnmarshalRead: %v", err)
			}
			if diff := cmp.Diff(want, got.Instances); diff != "" {
				t.Errorf("decoded instances differ (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeGoldenV1(t *testing.T) {
	for name, want := range goldenInstances(t) {
		t.Run(name, func(t *testing.T) {
			var got instancesAnswer
			if err := stdjson.Unmarshal(readGolden(t, name), &got); err != nil {
				t.Fatalf("encoding/json.Unmarshal: %v", err)
			}
			if diff := cmp.Diff(want, got.Instances); diff != "" {
				t.Errorf("decoded instances differ (-want +got):\n%s", diff)
			}
		})
	}
}

// codec is one JSON implementation as a user would call it.
type codec struct {
	name      string
	marshal   func(any) ([]byte, error)
	unmarshal func([]byte, any) error
}

var codecs = []codec{
	{"v2", func(v any) ([]byte, error) { return json.Marshal(v) }, func(b []byte, v any) error { return json.Unmarshal(b, v) }},
	{"v1", stdjson.Marshal, stdjson.Unmarshal},
}

// roundTrip marshals in and decodes the result with the same codec.
func roundTrip(t *testing.T, c codec, in []Instance) []Instance {
	t.Helper()
	b, err := c.marshal(in)
	if err != nil {
		t.Fatalf("%s marshal: %v", c.name, err)
	}
	var out []Instance
	if err := c.unmarshal(b, &out); err != nil {
		t.Fatalf("%s unmarshal of our own output: %v\n%s", c.name, err, b)
	}
	return out
}

func TestRoundTripGolden(t *testing.T) {
	for name, want := range goldenInstances(t) {
		for _, c := range codecs {
			t.Run(name+"/"+c.name, func(t *testing.T) {
				if diff := cmp.Diff(want, roundTrip(t, c, want)); diff != "" {
					t.Errorf("round trip changed the instances (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestMarshalWireForm checks that an Instance is written in the 6.0+ form
// as the server writes it: the OpenAPI example comes back member for
// member.
func TestMarshalWireForm(t *testing.T) {
	const example = `{"address":"localhost","currentStatus":{"connected":true,"lastHeartbeatTime":16,"local":true},` +
		`"instanceRecord":{"_id":"871f8be4-5fdb-45a8-868f-8d3e28a39148","_createdAt":"2024-05-22T11:14:11.845Z",` +
		`"_updatedAt":"2024-07-05T02:55:40.526Z","extraInformation":{"host":"localhost","port":"3000","tcpPort":46443,` +
		`"os":{"type":"Linux","platform":"linux","arch":"x64","release":"5.10.165-143.735.amzn2.x86_64",` +
		`"uptime":8455403.28,"loadavg":[0.41,0.17,0.15],"totalmem":4110323712,"freemem":198479872,"cpus":2},` +
		`"nodeVersion":"v14.21.3","conns":1},"name":"rocket.chat","pid":1},"broadcastAuth":true}`
	in := goldenInstances(t)["instances_6x.json"][0]
	for _, c := range codecs {
		b, err := c.marshal(in)
		if err != nil {
			t.Fatalf("%s marshal: %v", c.name, err)
		}
		if string(b) != example {
			t.Errorf("%s marshal wrote\n%s\nwant the server's form\n%s", c.name, b, example)
		}
	}
}

func TestMarshalOmitsZeroOptionalMembers(t *testing.T) {
	const want = `{"currentStatus":{"connected":false},"instanceRecord":{"_id":"x","extraInformation":{` +
		`"os":{"type":"","platform":"","arch":"","release":"","uptime":0,"loadavg":[0,0,0],"totalmem":0,"freemem":0,"cpus":0},` +
		`"nodeVersion":""},"name":"","pid":0},"broadcastAuth":false}`
	b, err := json.Marshal(Instance{ID: "x"})
	if err != nil {
		t.Fatalf("marshal of an Instance with only an ID: %v", err)
	}
	if string(b) != want {
		t.Errorf("zero Instance marshals to\n%s\nwant\n%s", b, want)
	}
}

// TestMarshalTimesAndSeconds checks how dates and durations are written:
// dates in UTC with as many fraction digits as they need, durations as
// decimal seconds.
func TestMarshalTimesAndSeconds(t *testing.T) {
	base := time.Date(2024, 5, 22, 11, 14, 11, 0, time.UTC)
	times := []struct {
		in   time.Time
		want string
	}{
		{base, `"_createdAt":"2024-05-22T11:14:11Z"`},
		{base.Add(845 * time.Millisecond), `"_createdAt":"2024-05-22T11:14:11.845Z"`},
		{base.Add(845123456), `"_createdAt":"2024-05-22T11:14:11.845123456Z"`},
		{base.In(time.FixedZone("NPT", 5*3600+45*60)), `"_createdAt":"2024-05-22T11:14:11Z"`},
	}
	for _, tt := range times {
		b, err := json.Marshal(Instance{ID: "x", CreatedAt: tt.in})
		if err != nil {
			t.Errorf("marshal %v: %v", tt.in, err)
			continue
		}
		if !strings.Contains(string(b), tt.want) {
			t.Errorf("marshal %v = %s, want it to hold %s", tt.in, b, tt.want)
		}
	}
	durations := []struct {
		in   time.Duration
		want string
	}{
		{0, `"uptime":0,`},
		{16 * time.Second, `"uptime":16,`},
		{8455403*time.Second + 280*time.Millisecond, `"uptime":8455403.28,`},
		{time.Microsecond, `"uptime":0.000001,`},
	}
	for _, tt := range durations {
		b, err := json.Marshal(Instance{ID: "x", OS: OS{Uptime: tt.in}})
		if err != nil {
			t.Errorf("marshal %v: %v", tt.in, err)
			continue
		}
		if !strings.Contains(string(b), tt.want) {
			t.Errorf("marshal %v = %s, want it to hold %s", tt.in, b, tt.want)
		}
	}
}

// oddInstances are values at the edges of every field's range.
func oddInstances() map[string]Instance {
	npt := time.FixedZone("NPT", 5*3600+45*60)
	return map[string]Instance{
		"zero":                  {},
		"microsecond durations": {ProcessUptime: time.Microsecond, OS: OS{Uptime: time.Second + time.Microsecond}},
		"largest durations":     {ProcessUptime: maxExactDuration, OS: OS{Uptime: maxExactDuration - time.Microsecond}},
		"nanosecond times": {CreatedAt: time.Date(2024, 5, 22, 11, 14, 11, 845123456, time.UTC),
			UpdatedAt: time.Date(2024, 5, 22, 11, 14, 11, 1, npt)},
		"microsecond time":   {CreatedAt: time.Date(2024, 5, 22, 11, 14, 11, 845123000, time.UTC)},
		"local time zone":    {CreatedAt: time.Date(2024, 2, 29, 23, 59, 59, 999999999, npt)},
		"monotonic clock":    {CreatedAt: time.Now(), UpdatedAt: time.Now().Add(time.Hour)},
		"year 1":             {CreatedAt: time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC)},
		"year 0":             {CreatedAt: time.Date(0, 3, 1, 0, 0, 0, 0, time.UTC)},
		"year 9999":          {CreatedAt: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)},
		"ports at the edges": {Port: 65535, TCPPort: 1},
		"largest memory":     {OS: OS{TotalMem: math.MaxUint64, FreeMem: 1 << 53}},
		"negative integers":  {PID: math.MinInt, Conns: -1, OS: OS{CPUs: math.MinInt}},
		"largest integers":   {PID: math.MaxInt, Conns: math.MaxInt, OS: OS{CPUs: math.MaxInt}},
		"odd floats": {OS: OS{LoadAvg: [3]float64{math.SmallestNonzeroFloat64, math.MaxFloat64,
			math.Copysign(0, -1)}}},
		"float precision": {OS: OS{LoadAvg: [3]float64{0.1, 1e21, 123456789.12345678}}},
		"odd strings": {ID: "\u0000\u001f\"\\/", Name: "<script>&</script>", Host: "undefined ",
			NodeVersion: "\u2028\u2029", Address: "[::1]:3000", OS: OS{Type: "日本語", Release: "\U0001F600"}},
		"host that is almost undefined": {Host: "Undefined"},
		"everything": {ID: "x", Name: "y", PID: 9, CreatedAt: time.Unix(1, 2), UpdatedAt: time.Unix(3, 4),
			Host: "h", Port: 1, TCPPort: 2, NodeVersion: "v", Conns: 3,
			OS:      OS{Type: "a", Platform: "b", Arch: "c", Release: "d", Uptime: 5 * time.Microsecond, LoadAvg: [3]float64{1, 2, 3}, TotalMem: 6, FreeMem: 7, CPUs: 8},
			Address: "z", Connected: true, Local: true, ProcessUptime: 10 * time.Microsecond, BroadcastAuth: true},
	}
}

// maxExactDuration is the longest duration that survives the wire's
// float64 seconds to the microsecond.
const maxExactDuration = (1<<50 - 1) * time.Microsecond

func TestRoundTripOddValues(t *testing.T) {
	for name, in := range oddInstances() {
		for _, c := range codecs {
			t.Run(name+"/"+c.name, func(t *testing.T) {
				if diff := cmp.Diff([]Instance{in}, roundTrip(t, c, []Instance{in})); diff != "" {
					t.Errorf("round trip changed the instance (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// randomInstance draws an Instance from the whole range that the wire
// form can carry (see TestMarshalWritesUnknownForWhatTheWireCannotCarry for the
// rest).
func randomInstance(r *rand.Rand) Instance {
	str := func() string {
		runes := make([]rune, r.IntN(12))
		for i := range runes {
			switch r.IntN(4) {
			case 0:
				runes[i] = rune(r.IntN(0x80))
			case 1:
				runes[i] = rune(r.IntN(0xd800))
			default:
				runes[i] = rune(0xe000 + r.IntN(0x110000-0xe000))
			}
		}
		return string(runes)
	}
	someInt := func() int {
		switch r.IntN(3) {
		case 0:
			return int(r.Uint64())
		case 1:
			return r.IntN(100000)
		}
		return 0
	}
	dur := func() time.Duration {
		switch r.IntN(3) {
		case 0:
			return time.Duration(r.Int64N(int64(maxExactDuration/time.Microsecond))) * time.Microsecond
		case 1:
			return time.Duration(r.Int64N(1e9)) * time.Millisecond
		}
		return 0
	}
	tm := func() time.Time {
		zones := []*time.Location{time.UTC, time.Local, time.FixedZone("", -(12*3600 + 59*60)), time.FixedZone("", 14*3600)}
		switch r.IntN(4) {
		case 0:
			return time.Time{}
		case 1: // anywhere in the years 0 to 9999
			sec := r.Int64N(31556952*10000) - 62167219200
			return time.Unix(sec, r.Int64N(1e9)).In(zones[r.IntN(len(zones))])
		case 2:
			return time.UnixMilli(r.Int64N(4e12)).In(zones[r.IntN(len(zones))])
		}
		return time.Unix(r.Int64N(4e9), r.Int64N(1e9))
	}
	float := func() float64 {
		switch r.IntN(3) {
		case 0:
			f := math.Float64frombits(r.Uint64())
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return 0
			}
			return f
		case 1:
			return float64(r.IntN(10000)) / 100
		}
		return r.Float64()
	}
	host := str()
	if host == "undefined" {
		host = ""
	}
	return Instance{
		ID: "id" + str(), Name: str(), PID: someInt(),
		CreatedAt: tm(), UpdatedAt: tm(),
		Host: host, Port: r.IntN(65536), TCPPort: r.IntN(65536),
		NodeVersion: str(), Conns: someInt(),
		OS: OS{
			Type: str(), Platform: str(), Arch: str(), Release: str(),
			Uptime:   dur(),
			LoadAvg:  [3]float64{float(), float(), float()},
			TotalMem: r.Uint64(), FreeMem: r.Uint64() >> r.IntN(64), CPUs: someInt(),
		},
		Address: str(), Connected: r.IntN(2) == 0, Local: r.IntN(2) == 0,
		ProcessUptime: dur(), BroadcastAuth: r.IntN(2) == 0,
	}
}

func TestRoundTripRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		in := randomInstance(r)
		for _, c := range codecs {
			b, err := c.marshal(in)
			if err != nil {
				t.Fatalf("case %d: %s marshal of %#v: %v", i, c.name, in, err)
			}
			var out Instance
			if err := c.unmarshal(b, &out); err != nil {
				t.Fatalf("case %d: %s unmarshal of %s: %v", i, c.name, b, err)
			}
			if diff := cmp.Diff(in, out); diff != "" {
				t.Fatalf("case %d: %s round trip through %s changed the instance (-want +got):\n%s", i, c.name, b, diff)
			}
		}
	}
}

// TestMarshalWritesUnknownForWhatTheWireCannotCarry: values the 6.0+
// form cannot carry are written as unknown, so that marshalling succeeds
// and what it wrote decodes.
func TestMarshalWritesUnknownForWhatTheWireCannotCarry(t *testing.T) {
	tests := map[string]struct{ in, want Instance }{
		"port above 65535":         {Instance{Port: 70000}, Instance{}},
		"negative port":            {Instance{Port: -1}, Instance{}},
		"negative process uptime":  {Instance{ProcessUptime: -1}, Instance{}},
		"negative host uptime":     {Instance{OS: OS{Uptime: -time.Hour}}, Instance{}},
		"largest durations":        {Instance{ProcessUptime: math.MaxInt64, OS: OS{Uptime: math.MinInt64}}, Instance{}},
		`host spelled "undefined"`: {Instance{Host: "undefined", Port: 3000}, Instance{Port: 3000}},
		"tcp port above 65535":     {Instance{TCPPort: 65536}, Instance{TCPPort: 65536}},
	}
	for name, tt := range tests {
		for _, c := range codecs {
			t.Run(name+"/"+c.name, func(t *testing.T) {
				if diff := cmp.Diff([]Instance{tt.want}, roundTrip(t, c, []Instance{tt.in})); diff != "" {
					t.Errorf("round trip (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestMarshalLimitsOfTheJSONPackages: what neither JSON package writes
// for any struct (a float that is not finite, a year outside 0 to 9999,
// and for v2 invalid UTF-8) fails for an Instance too, naming the member.
func TestMarshalLimitsOfTheJSONPackages(t *testing.T) {
	tests := map[string]struct {
		in    Instance
		where string
	}{
		"NaN load average":      {Instance{OS: OS{LoadAvg: [3]float64{0, math.NaN(), 0}}}, "/instanceRecord/extraInformation/os/loadavg/1"},
		"infinite load average": {Instance{OS: OS{LoadAvg: [3]float64{0, 0, math.Inf(-1)}}}, "/instanceRecord/extraInformation/os/loadavg/2"},
		"year beyond 9999":      {Instance{CreatedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, "/instanceRecord/_createdAt"},
		"year before 0":         {Instance{UpdatedAt: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)}, "/instanceRecord/_updatedAt"},
	}
	for name, tt := range tests {
		for _, c := range codecs {
			t.Run(name+"/"+c.name, func(t *testing.T) {
				b, err := c.marshal(tt.in)
				if err == nil {
					t.Fatalf("marshal succeeded with %s, want an error at %s", b, tt.where)
				}
				if !strings.Contains(err.Error(), tt.where) {
					t.Errorf("error %q does not point at %s", err, tt.where)
				}
			})
		}
	}
	// Invalid UTF-8: encoding/json writes U+FFFD, v2 refuses by default.
	in := Instance{ID: "a\xffb"}
	got := roundTrip(t, codecs[1], []Instance{in})
	if len(got) != 1 || got[0].ID != "a\uFFFDb" {
		t.Errorf("encoding/json round trip of invalid UTF-8 gave %+v, want the ID a\uFFFDb", got)
	}
	if b, err := json.Marshal(in); err == nil || !strings.Contains(err.Error(), "/instanceRecord/_id") {
		t.Errorf("v2 marshal of invalid UTF-8 = %s, %v; want an error at /instanceRecord/_id", b, err)
	}
}

// wrapped is the 6.0+ wrapper around a record with the given members and
// the _id "a" that every instance needs, for tables that change one
// member.
func wrapped(record string) string {
	if !strings.Contains(record, `"_id"`) {
		record = `"_id":"a"` + strings.TrimSuffix(","+record, ",")
	}
	return `{"currentStatus":{"connected":true},"instanceRecord":{` + record + `}}`
}

// withExtra is a 6.0+ item whose extraInformation has the given members.
func withExtra(extra string) string {
	return wrapped(`"extraInformation":{` + extra + `}`)
}

// withOS is a 6.0+ item whose os has the given members.
func withOS(members string) string {
	return withExtra(`"os":{` + members + `}`)
}

func TestDecodeRejectsBadInput(t *testing.T) {
	tests := map[string]struct {
		item  string // one item of the instances array, or "" with body
		body  string // the whole answer, when the item alone cannot show it
		where string // what the error must point at
	}{
		"truncated answer":                 {body: `{"instances":[{"_id":"a","pid":1`, where: "EOF"},
		"truncated item":                   {body: `{"instances":[{"instanceRecord":{"_id":"a"`, where: "EOF"},
		"port that is a word":              {item: withExtra(`"port":"abc"`), where: "/extraInformation/port"},
		"port with a fraction":             {item: withExtra(`"port":"3000.5"`), where: "/extraInformation/port"},
		"numeric port with a fraction":     {item: withExtra(`"port":3000.5`), where: "/extraInformation/port"},
		"port above 65535":                 {item: withExtra(`"port":70000`), where: "/extraInformation/port"},
		"port string above 65535":          {item: withExtra(`"port":"70000"`), where: "/extraInformation/port"},
		"negative port":                    {item: withExtra(`"port":-1`), where: "/extraInformation/port"},
		"port with spaces":                 {item: withExtra(`"port":" 3000"`), where: "/extraInformation/port"},
		"port as a boolean":                {item: withExtra(`"port":true`), where: "/extraInformation/port"},
		"tcp port as an object":            {item: withExtra(`"tcpPort":{}`), where: "/extraInformation/tcpPort"},
		"pid as a string":                  {item: wrapped(`"pid":"1"`), where: "/instanceRecord/pid"},
		"pid with a fraction":              {item: wrapped(`"pid":1.5`), where: "/instanceRecord/pid"},
		"pid beyond int64":                 {item: wrapped(`"pid":9223372036854775808`), where: "/instanceRecord/pid"},
		"id as a number":                   {item: wrapped(`"_id":42`), where: "/instanceRecord/_id"},
		"name as an array":                 {item: wrapped(`"name":["rocket.chat"]`), where: "/instanceRecord/name"},
		"host as a number":                 {item: withExtra(`"host":10`), where: "/extraInformation/host"},
		"conns as a string":                {item: withExtra(`"conns":"3"`), where: "/extraInformation/conns"},
		"negative totalmem":                {item: withOS(`"totalmem":-1`), where: "/os/totalmem"},
		"totalmem beyond float64":          {item: withOS(`"totalmem":1e400`), where: "/os/totalmem"},
		"totalmem beyond uint64":           {item: withOS(`"totalmem":18446744073709551616`), where: "/os/totalmem"},
		"fractional freemem":               {item: withOS(`"freemem":1024.5`), where: "/os/freemem"},
		"cpus as a list":                   {item: withOS(`"cpus":[{"model":"Xeon"}]`), where: "/os/cpus"},
		"uptime as a word":                 {item: withOS(`"uptime":"x"`), where: "/os/uptime"},
		"uptime as a numeric string":       {item: withOS(`"uptime":"36801050"`), where: "/os/uptime"},
		"uptime beyond a Duration":         {item: withOS(`"uptime":1e300`), where: "os.uptime"},
		"uptime just beyond a Duration":    {item: withOS(`"uptime":9223372036.854775808`), where: "os.uptime"},
		"negative uptime":                  {item: withOS(`"uptime":-1`), where: "os.uptime"},
		"negative lastHeartbeatTime":       {item: `{"currentStatus":{"lastHeartbeatTime":-16},"instanceRecord":{"_id":"a"}}`, where: "lastHeartbeatTime"},
		"loadavg as a word":                {item: withOS(`"loadavg":"x"`), where: "/os/loadavg"},
		"loadavg with two numbers":         {item: withOS(`"loadavg":[1,2]`), where: "/os/loadavg"},
		"loadavg with four numbers":        {item: withOS(`"loadavg":[1,2,3,4]`), where: "/os/loadavg"},
		"loadavg beyond float64":           {item: withOS(`"loadavg":[1,2,1e400]`), where: "/os/loadavg/2"},
		"os as a string":                   {item: withExtra(`"os":"Linux"`), where: "/extraInformation/os"},
		"extraInformation as an array":     {item: wrapped(`"extraInformation":[]`), where: "/instanceRecord/extraInformation"},
		"date that is a word":              {item: wrapped(`"_createdAt":"yesterday"`), where: "/instanceRecord/_createdAt"},
		"date as a bare number":            {item: wrapped(`"_createdAt":123`), where: "/instanceRecord/_createdAt"},
		"date in lower case":               {item: wrapped(`"_createdAt":"2024-05-22t11:14:11.845z"`), where: "/instanceRecord/_createdAt"},
		"date without a time zone":         {item: wrapped(`"_createdAt":"2024-05-22T11:14:11.845"`), where: "/instanceRecord/_createdAt"},
		"date on February 30th":            {item: wrapped(`"_createdAt":"2024-02-30T11:14:11Z"`), where: "/instanceRecord/_createdAt"},
		"date in hour 24":                  {item: wrapped(`"_updatedAt":"2024-05-22T24:00:00Z"`), where: "/instanceRecord/_updatedAt"},
		"date with an empty fraction":      {item: wrapped(`"_updatedAt":"2024-05-22T11:14:11.Z"`), where: "/instanceRecord/_updatedAt"},
		"date with a short year":           {item: wrapped(`"_updatedAt":"24-05-22T11:14:11Z"`), where: "/instanceRecord/_updatedAt"},
		"date object without $date":        {item: wrapped(`"_createdAt":{"date":1}`), where: "/instanceRecord/_createdAt"},
		"date with an expanded year":       {item: wrapped(`"_createdAt":"+275760-09-13T00:00:00.000Z"`), where: "/instanceRecord/_createdAt"},
		"item that is a string":            {item: `"rocket.chat"`, where: "/instances/0"},
		"item that is an array":            {item: `[]`, where: "/instances/0"},
		"instanceRecord that is a number":  {item: `{"instanceRecord":1}`, where: "/instanceRecord"},
		"connected as a string":            {item: `{"currentStatus":{"connected":"true"},"instanceRecord":{}}`, where: "/currentStatus/connected"},
		"local as a number":                {item: `{"currentStatus":{"connected":true,"local":1},"instanceRecord":{}}`, where: "/currentStatus/local"},
		"lastHeartbeatTime as a string":    {item: `{"currentStatus":{"lastHeartbeatTime":"16"},"instanceRecord":{}}`, where: "/currentStatus/lastHeartbeatTime"},
		"currentStatus as a string":        {item: `{"currentStatus":"connected","instanceRecord":{}}`, where: "/currentStatus"},
		"address as a number":              {item: `{"address":1,"instanceRecord":{}}`, where: "/address"},
		"broadcastAuth as a string":        {item: `{"broadcastAuth":"true","instanceRecord":{}}`, where: "/broadcastAuth"},
		"connection as a string":           {item: `{"_id":"a","connection":"10.0.0.2:3000/"}`, where: "/connection"},
		"connection's connected as number": {item: `{"_id":"a","connection":{"currentStatus":{"connected":1}}}`, where: "/connection/currentStatus/connected"},
		"raw record with a bad port":       {item: `{"_id":"a","extraInformation":{"port":"abc"}}`, where: "/extraInformation/port"},
		"duplicate member":                 {item: `{"_id":"a","_id":"b"}`, where: "duplicate"},
	}
	for name, tt := range tests {
		body := tt.body
		if body == "" {
			body = `{"instances":[` + tt.item + `],"success":true}`
		}
		t.Run(name+"/v2", func(t *testing.T) {
			var got instancesAnswer
			err := json.UnmarshalRead(strings.NewReader(body), &got)
			if err == nil {
				t.Fatalf("decoding %s succeeded with %+v, want an error at %s", body, got.Instances, tt.where)
			}
			if !strings.Contains(err.Error(), tt.where) {
				t.Errorf("error %q does not point at %s", err, tt.where)
			}
		})
		if tt.item == "" {
			continue
		}
		t.Run(name+"/v1", func(t *testing.T) {
			var got Instance
			err := stdjson.Unmarshal([]byte(tt.item), &got)
			if err == nil {
				t.Fatalf("decoding %s succeeded with %+v, want an error", tt.item, got)
			}
		})
	}
}

func TestDecodeToleratesOddities(t *testing.T) {
	created := time.Date(2024, 5, 22, 11, 14, 11, 845000000, time.UTC)
	tests := map[string]struct {
		item string
		want Instance
	}{
		"null instanceRecord":        {`{"instanceRecord":null,"_id":"a"}`, Instance{ID: "a"}},
		"unknown members everywhere": {`{"x":1,"currentStatus":{"y":[1],"connected":true},"instanceRecord":{"_id":"a","z":{"a":null},"extraInformation":{"w":"?","os":{"cpusList":[]}}},"v":true}`, Instance{ID: "a", Connected: true}},
		"nulls everywhere": {`{"address":null,"currentStatus":{"connected":null,"lastHeartbeatTime":null,"local":null},"instanceRecord":{"_id":"a","_createdAt":null,"_updatedAt":null,"extraInformation":{"host":null,"port":null,"tcpPort":null,"os":{"type":null,"uptime":null,"loadavg":null,"totalmem":null,"cpus":null},"nodeVersion":null,"conns":null},"name":null,"pid":null},"broadcastAuth":null}`,
			Instance{ID: "a"}},
		"null objects":                 {`{"currentStatus":null,"instanceRecord":{"_id":"a","extraInformation":null}}`, Instance{ID: "a"}},
		"null os":                      {withExtra(`"os":null,"host":"h"`), Instance{Host: "h", Connected: true}},
		"undefined host and port":      {withExtra(`"host":"undefined","port":"undefined"`), Instance{Connected: true}},
		"empty port":                   {withExtra(`"port":""`), Instance{Connected: true}},
		"numeric port":                 {withExtra(`"port":3000,"tcpPort":46443`), Instance{Port: 3000, TCPPort: 46443, Connected: true}},
		"port with leading zeros":      {withExtra(`"port":"03000"`), Instance{Port: 3000, Connected: true}},
		"escaped strings":              {withExtra(`"host":"\u0075ndefined","port":"\u0033000","nodeVersion":"v\u0031"`), Instance{Port: 3000, NodeVersion: "v1", Connected: true}},
		"escaped member names":         {`{"\u0069nstanceRecord":{"\u005fid":"a"}}`, Instance{ID: "a"}},
		"date without fraction":        {wrapped(`"_createdAt":"2024-05-22T11:14:11Z"`), Instance{CreatedAt: created.Truncate(time.Second), Connected: true}},
		"date with an offset":          {wrapped(`"_createdAt":"2024-05-22T16:59:11.845+05:45"`), Instance{CreatedAt: created, Connected: true}},
		"date with nanoseconds":        {wrapped(`"_createdAt":"2024-05-22T11:14:11.845000001Z"`), Instance{CreatedAt: created.Add(1), Connected: true}},
		"date with excess digits":      {wrapped(`"_createdAt":"2024-05-22T11:14:11.8450000019Z"`), Instance{CreatedAt: created.Add(1), Connected: true}},
		"date on a leap day":           {wrapped(`"_createdAt":"2000-02-29T00:00:00Z"`), Instance{CreatedAt: time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC), Connected: true}},
		"integer uptime":               {withOS(`"uptime":36801050`), Instance{OS: OS{Uptime: 36801050 * time.Second}, Connected: true}},
		"float uptime exactly":         {withOS(`"uptime":8455403.28`), Instance{OS: OS{Uptime: 8455403280 * time.Millisecond}, Connected: true}},
		"uptime with an exponent":      {withOS(`"uptime":8.45540328e6`), Instance{OS: OS{Uptime: 8455403280 * time.Millisecond}, Connected: true}},
		"uptime below a microsecond":   {withOS(`"uptime":1e-10`), Instance{Connected: true}},
		"uptime rounded to µs":         {withOS(`"uptime":0.0000015`), Instance{OS: OS{Uptime: 2 * time.Microsecond}, Connected: true}},
		"largest exact uptime":         {withOS(`"uptime":1125899906.842623`), Instance{OS: OS{Uptime: maxExactDuration}, Connected: true}},
		"negative zero uptime":         {withOS(`"uptime":-0.0`), Instance{Connected: true}},
		"memory above 2^53":            {withOS(`"totalmem":18446744073709551615,"freemem":9007199254740993`), Instance{OS: OS{TotalMem: math.MaxUint64, FreeMem: 1<<53 + 1}, Connected: true}},
		"float lastHeartbeatTime":      {`{"currentStatus":{"connected":true,"lastHeartbeatTime":16.5},"instanceRecord":{"_id":"a"}}`, Instance{ID: "a", Connected: true, ProcessUptime: 16500 * time.Millisecond}},
		"loadavg with a null":          {withOS(`"loadavg":[1,null,3]`), Instance{OS: OS{LoadAvg: [3]float64{1, 0, 3}}, Connected: true}},
		"invalid UTF-8":                {"{\"_id\":\"a\xff\"}", Instance{ID: "a\uFFFD"}},
		"record members beside record": {`{"_id":"flat","instanceRecord":{"_id":"wrapped"},"pid":3}`, Instance{ID: "wrapped"}},
		"record after its members":     {`{"pid":3,"instanceRecord":{"_id":"wrapped"}}`, Instance{ID: "wrapped"}},
		"connection with a record":     {`{"_id":"a","connection":{"address":"x:3000/","instanceRecord":{"_id":"b"},"currentStatus":{"connected":true}}}`, Instance{ID: "a", Address: "x:3000/", Connected: true}},
		"null connection":              {`{"_id":"a","connection":null}`, Instance{ID: "a"}},
		"missing everything in os":     {withOS(``), Instance{Connected: true}},
		"microservice record":          {`{"currentStatus":{"connected":false},"instanceRecord":{"_id":"m","extraInformation":{},"name":"ddp-streamer","pid":1},"broadcastAuth":true}`, Instance{ID: "m", Name: "ddp-streamer", PID: 1, BroadcastAuth: true}},
	}
	for name, tt := range tests {
		for _, c := range codecs {
			t.Run(name+"/"+c.name, func(t *testing.T) {
				var got []Instance
				if err := c.unmarshal([]byte(`[`+tt.item+`]`), &got); err != nil {
					t.Fatalf("decoding %s: %v", tt.item, err)
				}
				want := tt.want
				if want.ID == "" {
					want.ID = "a" // the _id that wrapped adds
				}
				if diff := cmp.Diff([]Instance{want}, got); diff != "" {
					t.Errorf("decoding %s (-want +got):\n%s", tt.item, diff)
				}
			})
		}
	}
}

func TestDecodedTimesAreUTC(t *testing.T) {
	for _, date := range []string{`"2024-05-22T16:59:11.845+05:45"`, `"2024-05-22T11:14:11Z"`} {
		for _, c := range codecs {
			var got Instance
			if err := c.unmarshal([]byte(wrapped(`"_createdAt":`+date+`,"_updatedAt":`+date)), &got); err != nil {
				t.Fatalf("%s decoding %s: %v", c.name, date, err)
			}
			if got.CreatedAt.Location() != time.UTC || got.UpdatedAt.Location() != time.UTC {
				t.Errorf("%s decoding %s gave times in %v and %v, want UTC", c.name, date, got.CreatedAt.Location(), got.UpdatedAt.Location())
			}
		}
	}
}

// TestUnmarshalReplacesWholeValue checks that decoding into a used
// Instance leaves nothing of the old value, as a fresh decode would.
func TestUnmarshalReplacesWholeValue(t *testing.T) {
	got := Instance{ID: "old", Port: 1, Connected: true, OS: OS{CPUs: 4}}
	if err := json.Unmarshal([]byte(`{"instanceRecord":{"_id":"new"}}`), &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Instance{ID: "new"}, got); diff != "" {
		t.Errorf("decoding into a used Instance (-want +got):\n%s", diff)
	}
}

// TestDecodeStreamsOnePass checks that a whole answer decodes from a
// reader that hands out one byte at a time, as a slow body would.
func TestDecodeStreamsOnePass(t *testing.T) {
	want := goldenInstances(t)["instances_mixed.json"]
	var got instancesAnswer
	dec := jsontext.NewDecoder(oneByteReader{bytes.NewReader(readGolden(t, "instances_mixed.json"))})
	if err := json.UnmarshalDecode(dec, &got); err != nil {
		t.Fatalf("decoding byte by byte: %v", err)
	}
	if diff := cmp.Diff(want, got.Instances); diff != "" {
		t.Errorf("decoding byte by byte (-want +got):\n%s", diff)
	}
}

type oneByteReader struct{ r *bytes.Reader }

func (o oneByteReader) Read(p []byte) (int, error) {
	if len(p) > 1 {
		p = p[:1]
	}
	return o.r.Read(p)
}
