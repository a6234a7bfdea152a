package rocketchat

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// nanoDurations writes and reads a time.Duration as encoding/json does,
// a number of nanoseconds: encoding/json/v2 has no default form for it
// and refuses to marshal a struct holding one.
var nanoDurations = jsonv1.FormatDurationAsNano(true)

// MarshalJSONTo implements [json.MarshalerTo] for encoding/json/v2, with
// Uptime in nanoseconds as encoding/json writes it.
func (o OS) MarshalJSONTo(enc *jsontext.Encoder) error {
	type plain OS
	return json.MarshalEncode(enc, plain(o), nanoDurations)
}

// UnmarshalJSONFrom implements [json.UnmarshalerFrom], the inverse of
// [OS.MarshalJSONTo].
func (o *OS) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	type plain OS
	return json.UnmarshalDecode(dec, (*plain)(o), nanoDurations)
}

// Instances lists the members of the server's cluster
// (GET /api/v1/instances.get, Rocket.Chat 3.10 and later), in the order
// the server gives them, whatever the server's generation. A single server
// lists itself. Records of stopped members stay listed until they expire:
// [Instance.UpdatedAt] tells how fresh each is.
//
// The user needs the view-statistics permission (admins have it): without
// it the call fails with [ErrForbidden]; without valid credentials, with
// [ErrUnauthorized]; on servers older than 3.10, with [ErrNotFound].
func (c *Client) Instances(ctx context.Context) ([]Instance, error) {
	out := instancesResponse{Instances: newList(c.maxBytes, (*instanceItem).serverInstance)}
	if err := c.get(ctx, "v1/instances.get", nil, &out); err != nil {
		return nil, err
	}
	return out.Instances.items, nil
}

// instancesResponse is the answer of GET /api/v1/instances.get.
type instancesResponse struct {
	verdict   `json:",inline"`
	Instances list[instanceItem, Instance] `json:"instances"`
}

func (a *instancesResponse) check() error {
	if a.Instances.items == nil {
		return errNoInstances
	}
	return nil
}

// The wire form of an instances.get item, as plain tagged structs.

// instanceItem is one item in either shape: the 6.0+ wrapper, or the
// 3.10 to 5.x record with the members of the record at the top level and
// a connection object on the members other than the one that answered.
type instanceItem struct {
	instanceWrapper `json:",inline"`
	instanceRecord  `json:",inline"`
	Connection      connection `json:"connection"`
}

// instanceWrapper is the 6.0+ item: the record with the service broker's
// view of the member.
type instanceWrapper struct {
	Address        string         `json:"address,omitempty"`
	CurrentStatus  currentStatus  `json:"currentStatus"`
	InstanceRecord instanceRecord `json:"instanceRecord"`
	BroadcastAuth  bool           `json:"broadcastAuth"`
}

// connection is what a 3.10 to 5.x server knows of another member.
type connection struct {
	Address       string        `json:"address"`
	CurrentStatus currentStatus `json:"currentStatus"`
	BroadcastAuth bool          `json:"broadcastAuth"`
}

type currentStatus struct {
	Connected         bool    `json:"connected"`
	LastHeartbeatTime float64 `json:"lastHeartbeatTime,omitzero"` // the process uptime, seconds
	Local             bool    `json:"local,omitzero"`
}

type instanceRecord struct {
	ID               string           `json:"_id"`
	CreatedAt        time.Time        `json:"_createdAt,omitzero"`
	UpdatedAt        time.Time        `json:"_updatedAt,omitzero"`
	ExtraInformation extraInformation `json:"extraInformation"`
	Name             string           `json:"name"`
	PID              int              `json:"pid"`
}

type extraInformation struct {
	Host        string   `json:"host,omitempty"` // "undefined" when unknown
	Port        wirePort `json:"port,omitzero"`
	TCPPort     int      `json:"tcpPort,omitzero"`
	OS          wireOS   `json:"os"`
	NodeVersion string   `json:"nodeVersion"`
	Conns       int      `json:"conns,omitzero"`
}

type wireOS struct {
	Type     string     `json:"type"`
	Platform string     `json:"platform"`
	Arch     string     `json:"arch"`
	Release  string     `json:"release"`
	Uptime   float64    `json:"uptime"` // seconds
	LoadAvg  [3]float64 `json:"loadavg"`
	TotalMem uint64     `json:"totalmem"`
	FreeMem  uint64     `json:"freemem"`
	CPUs     int        `json:"cpus"`
}

// undefined is JavaScript's String(undefined): a value that was never set.
const undefined = "undefined"

var errNoID = errors.New("an item without an _id is not an instance")

// serverInstance converts an item of an instances.get answer, which
// must have an _id.
func (it *instanceItem) serverInstance() (Instance, error) {
	in, err := it.instance()
	if err == nil && in.ID == "" {
		err = errNoID
	}
	return in, err
}

// instance converts an item of either shape. An item with an _id at the
// top level and none in instanceRecord is the 3.10 to 5.x record; any
// other is the 6.0+ wrapper, which is also what Marshal writes for an
// Instance without an ID.
func (it *instanceItem) instance() (Instance, error) {
	rec := &it.InstanceRecord
	address, status, broadcastAuth := it.Address, it.CurrentStatus, it.BroadcastAuth
	if it.InstanceRecord.ID == "" && it.instanceRecord.ID != "" {
		rec = &it.instanceRecord
		address, status, broadcastAuth = it.Connection.Address, it.Connection.CurrentStatus, it.Connection.BroadcastAuth
	}
	extra, os := &rec.ExtraInformation, &rec.ExtraInformation.OS
	processUptime, ok := seconds(status.LastHeartbeatTime)
	if !ok {
		return Instance{}, errors.New("currentStatus.lastHeartbeatTime is negative or too large")
	}
	hostUptime, ok := seconds(os.Uptime)
	if !ok {
		return Instance{}, errors.New("os.uptime is negative or too large")
	}
	host := extra.Host
	if host == undefined {
		host = ""
	}
	return Instance{
		ID:          rec.ID,
		Name:        rec.Name,
		PID:         rec.PID,
		CreatedAt:   rec.CreatedAt.UTC(),
		UpdatedAt:   rec.UpdatedAt.UTC(),
		Host:        host,
		Port:        int(extra.Port),
		TCPPort:     extra.TCPPort,
		NodeVersion: extra.NodeVersion,
		Conns:       extra.Conns,
		OS: OS{
			Type:     os.Type,
			Platform: os.Platform,
			Arch:     os.Arch,
			Release:  os.Release,
			Uptime:   hostUptime,
			LoadAvg:  os.LoadAvg,
			TotalMem: os.TotalMem,
			FreeMem:  os.FreeMem,
			CPUs:     os.CPUs,
		},
		Address:       address,
		Connected:     status.Connected,
		Local:         status.Local,
		ProcessUptime: processUptime,
		BroadcastAuth: broadcastAuth,
	}, nil
}

// wrapper converts in to the 6.0+ wire form. Values the form cannot
// carry are written as unknown: a port outside 0 to 65535 as no port, a
// duration that seconds would refuse as 0.
func (in *Instance) wrapper() instanceWrapper {
	port := in.Port
	if port < 0 || port > math.MaxUint16 {
		port = 0
	}
	return instanceWrapper{
		Address:       in.Address,
		CurrentStatus: currentStatus{Connected: in.Connected, LastHeartbeatTime: toSeconds(in.ProcessUptime), Local: in.Local},
		InstanceRecord: instanceRecord{
			ID:        in.ID,
			CreatedAt: in.CreatedAt.UTC(),
			UpdatedAt: in.UpdatedAt.UTC(),
			ExtraInformation: extraInformation{
				Host:        in.Host,
				Port:        wirePort(port),
				TCPPort:     in.TCPPort,
				NodeVersion: in.NodeVersion,
				Conns:       in.Conns,
				OS: wireOS{
					Type:     in.OS.Type,
					Platform: in.OS.Platform,
					Arch:     in.OS.Arch,
					Release:  in.OS.Release,
					Uptime:   toSeconds(in.OS.Uptime),
					LoadAvg:  in.OS.LoadAvg,
					TotalMem: in.OS.TotalMem,
					FreeMem:  in.OS.FreeMem,
					CPUs:     in.OS.CPUs,
				},
			},
			Name: in.Name,
			PID:  in.PID,
		},
		BroadcastAuth: in.BroadcastAuth,
	}
}

// seconds converts a number of seconds, as Node.js reports uptimes, to a
// Duration kept to the microsecond: enough for every value a server sends
// (whole seconds or hundredths), and exact through a float64 for any
// duration under 35 years, which nanoseconds would not be.
func seconds(s float64) (time.Duration, bool) {
	if !(s >= 0 && s < maxSeconds) {
		return 0, false
	}
	return time.Duration(math.Round(s*1e6)) * time.Microsecond, true
}

// maxSeconds is the first number of seconds a Duration cannot hold.
const maxSeconds = float64(math.MaxInt64/int64(time.Microsecond)) / 1e6

// toSeconds is the inverse of seconds, for durations of whole
// microseconds under 35 years; finer durations are rounded. A duration
// that seconds would refuse (negative, or too close to the largest
// Duration) is 0, unknown.
func toSeconds(d time.Duration) float64 {
	s := float64(d.Round(time.Microsecond)/time.Microsecond) / 1e6
	if _, ok := seconds(s); !ok {
		return 0
	}
	return s
}

// UnmarshalJSONFrom implements [json.UnmarshalerFrom]. It reads one item
// of an instances.get answer in either shape, or what [Instance.MarshalJSONTo]
// wrote. Unknown members are ignored and null counts as absent; a value
// of a kind no server sends is an error. An item without an _id is read
// as the zero ID ([Client.Instances] refuses it in a server's answer).
func (in *Instance) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	var item instanceItem
	if err := json.UnmarshalDecode(dec, &item, wireOptions); err != nil {
		return err
	}
	v, err := item.instance()
	if err != nil {
		return err
	}
	*in = v
	return nil
}

// UnmarshalJSON implements the encoding/json Unmarshaler with the same
// decoder as [Instance.UnmarshalJSONFrom].
func (in *Instance) UnmarshalJSON(b []byte) error { return json.Unmarshal(b, in) }

// MarshalJSONTo implements [json.MarshalerTo]. It writes the 6.0+ wire
// form, as the server does: the port as a string, dates in UTC, and
// without the members a server may omit (address, lastHeartbeatTime,
// local, host, port, tcpPort, conns, the dates) when they are zero. It
// succeeds for any value the JSON packages can write (see [Instance]):
// refusing an item without an _id belongs to reading a server's answer.
func (in Instance) MarshalJSONTo(enc *jsontext.Encoder) error {
	w := in.wrapper()
	// The wire form's own options, but invalid UTF-8 as the caller allows.
	allow, _ := json.GetOption(enc.Options(), jsontext.AllowInvalidUTF8)
	return json.MarshalEncode(enc, &w, json.DefaultOptionsV2(), jsontext.AllowInvalidUTF8(allow))
}

// MarshalJSON implements the encoding/json Marshaler with the same
// encoder as [Instance.MarshalJSONTo]. Invalid UTF-8 becomes U+FFFD, as
// encoding/json writes any string.
func (in Instance) MarshalJSON() ([]byte, error) {
	return json.Marshal(in, jsontext.AllowInvalidUTF8(true))
}

// wirePort is a TCP port written by JavaScript: a string ("3000") or a
// number. "undefined" (String(process.env.PORT) with no PORT set) and ""
// mean unknown, which is 0. It encodes as a string, as the server does.
type wirePort int

// UnmarshalJSONFrom implements [json.UnmarshalerFrom].
func (p *wirePort) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	digits := []byte(v)
	switch v.Kind() {
	case 'n':
		*p = 0
		return nil
	case '0':
	case '"':
		digits = v[1 : len(v)-1]
		if bytes.IndexByte(digits, '\\') >= 0 {
			if digits, err = jsontext.AppendUnquote(nil, v); err != nil {
				return err
			}
		}
		if len(digits) == 0 || string(digits) == undefined {
			*p = 0
			return nil
		}
	default:
		return errors.New("want a port number or a string, got " + v.Kind().String())
	}
	// Digits only: no sign, fraction, exponent or spaces.
	n, err := strconv.ParseUint(string(digits), 10, 16)
	if err != nil {
		return fmt.Errorf("%s is not a port number (0 to 65535)", v)
	}
	*p = wirePort(n)
	return nil
}

// MarshalJSONTo implements [json.MarshalerTo].
func (p wirePort) MarshalJSONTo(enc *jsontext.Encoder) error {
	return enc.WriteToken(jsontext.String(strconv.Itoa(int(p))))
}
