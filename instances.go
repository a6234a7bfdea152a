package rocketchat

import (
	"context"
	"errors"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"time"

	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Instance is one member of a Rocket.Chat cluster: a server process or a
// microservice that keeps a record in the server's instance list, as
// [Client.Instances] returns it.
//
// One type serves every server generation. Servers 3.10 to 5.x send the
// raw record, with a connection object on the members other than the one
// that answered; 6.0 and later wrap the record with the service broker's
// view of the member. The decoder tells the shapes apart item by item.
// Encoding an Instance, with encoding/json or with encoding/json/v2,
// writes the 6.0+ form, and decoding that gives back an equal value.
type Instance struct {
	// ID is the record's _id: a Meteor id on 3.x servers, a UUID on 6.x
	// and later.
	ID string
	// Name is "rocket.chat" for the main server, or a microservice's
	// name such as "ddp-streamer".
	Name string
	// PID is the process id on its host.
	PID int
	// CreatedAt is when the process registered its record.
	CreatedAt time.Time
	// UpdatedAt is the record's last heartbeat write. Records are
	// refreshed about every ten seconds and expire a while after it, so a
	// dead member stays listed until then: UpdatedAt tells how fresh the
	// record is.
	UpdatedAt time.Time
	// Host is extraInformation.host, the host name or IP address the
	// process announced; "" when unknown (the server's "undefined").
	Host string
	// Port is the HTTP port from extraInformation.port, which the server
	// sends as a string; 0 when unknown.
	Port int
	// TCPPort is the service broker's TCP port (6.0+); 0 when unknown.
	TCPPort int
	// NodeVersion is the Node.js version, such as "v14.21.3".
	NodeVersion string
	// Conns is extraInformation.conns, the process's open client
	// connections (6.x+); 0 until the server first writes it.
	Conns int
	// OS describes the host the process runs on.
	OS OS
	// Address is where the cluster reaches the member: the service
	// broker's address on 6.0+, or the DDP address "host:port/" on 3.10
	// to 5.x, which only the members other than the answering one carry;
	// "" when the server has none.
	Address string
	// Connected is currentStatus.connected: the cluster reaches the
	// member. It is false when the server did not say; on 6.0+, false
	// with an empty Address means no broker data, not a member down.
	Connected bool
	// Local is currentStatus.local: the member is the one that answered
	// (6.0+). It is false when the server did not say.
	Local bool
	// ProcessUptime is currentStatus.lastHeartbeatTime (6.0+), which
	// despite its name is the process's uptime in seconds.
	ProcessUptime time.Duration
	// BroadcastAuth is the server's broadcastAuth flag, true whenever it
	// is sent.
	BroadcastAuth bool
}

// OS describes the host of an [Instance] as Node.js's os module reports
// it.
type OS struct {
	// Type is os.type(), such as "Linux".
	Type string
	// Platform is os.platform(), such as "linux".
	Platform string
	// Arch is os.arch(), such as "x64".
	Arch string
	// Release is os.release(), the kernel's version.
	Release string
	// Uptime is the host's uptime, not the process's.
	Uptime time.Duration
	// LoadAvg is the load average over 1, 5 and 15 minutes.
	LoadAvg [3]float64
	// TotalMem is the host's memory in bytes.
	TotalMem uint64
	// FreeMem is the host's free memory in bytes.
	FreeMem uint64
	// CPUs is the number of logical CPUs.
	CPUs int
}

var (
	instanceType = reflect.TypeFor[Instance]()
	osType       = reflect.TypeFor[OS]()
)

// UnmarshalJSONFrom implements [json.UnmarshalerFrom]. It reads one item
// of an instances.get answer in either shape: an item with an
// instanceRecord member is the 6.0+ wrapper, any other the 3.10 to 5.x
// raw record. Unknown members are ignored and null counts as absent; a
// value of a kind no server sends is an error.
func (in *Instance) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	var item instanceItem
	if err := item.read(dec); err != nil {
		return err
	}
	*in = item.instance()
	return nil
}

// UnmarshalJSON implements the encoding/json Unmarshaler with the same
// decoder as [Instance.UnmarshalJSONFrom].
func (in *Instance) UnmarshalJSON(b []byte) error { return json.Unmarshal(b, in) }

// instanceItem holds one item while it is read, before its shape is
// known: the record members may come before or after instanceRecord.
type instanceItem struct {
	flat    Instance       // record members at the top level (3.10 to 5.x)
	wrapped Instance       // the instanceRecord member (6.0+)
	wrapper bool           // the item has a non-null instanceRecord
	status  instanceStatus // address, currentStatus, broadcastAuth (6.0+)
	conn    instanceStatus // the connection member (3.10 to 5.x)
	hasConn bool
}

// instanceStatus is what the answering server knows of a member's
// reachability.
type instanceStatus struct {
	address       string
	connected     bool
	local         bool
	uptime        time.Duration
	broadcastAuth bool
}

func (it *instanceItem) read(dec *jsontext.Decoder) error {
	_, err := readObject(dec, instanceType, func(name []byte) (err error) {
		switch string(name) {
		case "instanceRecord":
			it.wrapped = Instance{}
			it.wrapper, err = readObject(dec, instanceType, func(name []byte) error {
				return readRecordMember(dec, name, &it.wrapped)
			})
		case "connection":
			it.conn = instanceStatus{}
			it.hasConn, err = readObject(dec, nil, func(name []byte) error {
				return readStatusMember(dec, name, &it.conn)
			})
		case "address", "currentStatus", "broadcastAuth":
			err = readStatusMember(dec, name, &it.status)
		default:
			err = readRecordMember(dec, name, &it.flat)
		}
		return err
	})
	return err
}

// instance merges what was read according to the item's shape.
func (it *instanceItem) instance() Instance {
	in, st := it.flat, it.status
	if it.wrapper {
		in = it.wrapped
	} else if it.hasConn {
		st = it.conn
	}
	in.Address = st.address
	in.Connected = st.connected
	in.Local = st.local
	in.ProcessUptime = st.uptime
	in.BroadcastAuth = st.broadcastAuth
	return in
}

// readStatusMember reads a member of the 6.0+ wrapper or of the 3.10 to
// 5.x connection object, which share their status members.
func readStatusMember(dec *jsontext.Decoder, name []byte, st *instanceStatus) (err error) {
	switch string(name) {
	case "address":
		st.address, err = readString(dec)
	case "broadcastAuth":
		st.broadcastAuth, err = readBool(dec)
	case "currentStatus":
		_, err = readObject(dec, nil, func(name []byte) (err error) {
			switch string(name) {
			case "connected":
				st.connected, err = readBool(dec)
			case "local":
				st.local, err = readBool(dec)
			case "lastHeartbeatTime":
				err = (*wireSeconds)(&st.uptime).UnmarshalJSONFrom(dec)
			default:
				err = dec.SkipValue()
			}
			return err
		})
	default:
		err = dec.SkipValue()
	}
	return err
}

// readRecordMember reads a member of the instance record into r.
func readRecordMember(dec *jsontext.Decoder, name []byte, r *Instance) (err error) {
	switch string(name) {
	case "_id":
		r.ID, err = readString(dec)
	case "name":
		r.Name, err = readString(dec)
	case "pid":
		r.PID, err = readInt(dec)
	case "_createdAt":
		err = (*wireTime)(&r.CreatedAt).UnmarshalJSONFrom(dec)
	case "_updatedAt":
		err = (*wireTime)(&r.UpdatedAt).UnmarshalJSONFrom(dec)
	case "extraInformation":
		_, err = readObject(dec, nil, func(name []byte) error {
			return readExtraMember(dec, name, r)
		})
	default:
		err = dec.SkipValue()
	}
	return err
}

// readExtraMember reads a member of the record's extraInformation into r.
func readExtraMember(dec *jsontext.Decoder, name []byte, r *Instance) (err error) {
	switch string(name) {
	case "host":
		err = (*jsString)(&r.Host).UnmarshalJSONFrom(dec)
	case "port":
		err = (*wirePort)(&r.Port).UnmarshalJSONFrom(dec)
	case "tcpPort":
		err = (*wirePort)(&r.TCPPort).UnmarshalJSONFrom(dec)
	case "nodeVersion":
		r.NodeVersion, err = readString(dec)
	case "conns":
		r.Conns, err = readInt(dec)
	case "os":
		_, err = readObject(dec, osType, func(name []byte) error {
			return readOSMember(dec, name, &r.OS)
		})
	default:
		err = dec.SkipValue()
	}
	return err
}

// readOSMember reads a member of extraInformation.os into o.
func readOSMember(dec *jsontext.Decoder, name []byte, o *OS) (err error) {
	switch string(name) {
	case "type":
		o.Type, err = readString(dec)
	case "platform":
		o.Platform, err = readString(dec)
	case "arch":
		o.Arch, err = readString(dec)
	case "release":
		o.Release, err = readString(dec)
	case "uptime":
		err = (*wireSeconds)(&o.Uptime).UnmarshalJSONFrom(dec)
	case "loadavg":
		err = readFloat3(dec, &o.LoadAvg)
	case "totalmem":
		o.TotalMem, err = readUint64(dec)
	case "freemem":
		o.FreeMem, err = readUint64(dec)
	case "cpus":
		o.CPUs, err = readInt(dec)
	default:
		err = dec.SkipValue()
	}
	return err
}

// MarshalJSONTo implements [json.MarshalerTo]. It writes the 6.0+ wire
// form, the port as a string and dates with milliseconds as the server
// does, and leaves out the members a server may omit (address,
// lastHeartbeatTime, local, host, port, tcpPort, conns, the dates) when
// they are zero. A value the wire cannot carry is an error rather than
// output that would decode differently: a port outside 0 to 65535, a
// negative duration, a load average that is not finite, a year beyond
// ±999999, or a Host spelled "undefined", which means unknown on the wire.
func (in Instance) MarshalJSONTo(enc *jsontext.Encoder) error {
	if err := in.checkWire(); err != nil {
		return err
	}
	w := tokenWriter{enc: enc}
	w.token(jsontext.BeginObject)
	if in.Address != "" {
		w.member("address", jsontext.String(in.Address))
	}
	w.token(jsontext.String("currentStatus"))
	w.token(jsontext.BeginObject)
	w.member("connected", jsontext.Bool(in.Connected))
	if in.ProcessUptime != 0 {
		w.marshal("lastHeartbeatTime", wireSeconds(in.ProcessUptime))
	}
	if in.Local {
		w.member("local", jsontext.True)
	}
	w.token(jsontext.EndObject)
	w.token(jsontext.String("instanceRecord"))
	in.writeRecord(&w)
	w.member("broadcastAuth", jsontext.Bool(in.BroadcastAuth))
	w.token(jsontext.EndObject)
	return w.err
}

// MarshalJSON implements the encoding/json Marshaler with the same
// encoder as [Instance.MarshalJSONTo].
func (in Instance) MarshalJSON() ([]byte, error) { return json.Marshal(in) }

// writeRecord writes the instance record object of the 6.0+ form.
func (in *Instance) writeRecord(w *tokenWriter) {
	w.token(jsontext.BeginObject)
	w.member("_id", jsontext.String(in.ID))
	if !in.CreatedAt.IsZero() {
		w.marshal("_createdAt", wireTime(in.CreatedAt))
	}
	if !in.UpdatedAt.IsZero() {
		w.marshal("_updatedAt", wireTime(in.UpdatedAt))
	}
	w.token(jsontext.String("extraInformation"))
	w.token(jsontext.BeginObject)
	if in.Host != "" {
		w.marshal("host", jsString(in.Host))
	}
	if in.Port != 0 {
		w.marshal("port", wirePort(in.Port))
	}
	if in.TCPPort != 0 {
		w.member("tcpPort", jsontext.Int(int64(in.TCPPort)))
	}
	w.token(jsontext.String("os"))
	w.token(jsontext.BeginObject)
	w.member("type", jsontext.String(in.OS.Type))
	w.member("platform", jsontext.String(in.OS.Platform))
	w.member("arch", jsontext.String(in.OS.Arch))
	w.member("release", jsontext.String(in.OS.Release))
	w.marshal("uptime", wireSeconds(in.OS.Uptime))
	w.token(jsontext.String("loadavg"))
	w.token(jsontext.BeginArray)
	for _, f := range in.OS.LoadAvg {
		w.token(jsontext.Float(f))
	}
	w.token(jsontext.EndArray)
	w.member("totalmem", jsontext.Uint(in.OS.TotalMem))
	w.member("freemem", jsontext.Uint(in.OS.FreeMem))
	w.member("cpus", jsontext.Int(int64(in.OS.CPUs)))
	w.token(jsontext.EndObject)
	w.member("nodeVersion", jsontext.String(in.NodeVersion))
	if in.Conns != 0 {
		w.member("conns", jsontext.Int(int64(in.Conns)))
	}
	w.token(jsontext.EndObject)
	w.member("name", jsontext.String(in.Name))
	w.member("pid", jsontext.Int(int64(in.PID)))
	w.token(jsontext.EndObject)
}

// checkWire reports the first field whose value the wire form cannot
// carry, before anything is written.
func (in *Instance) checkWire() error {
	field := func(name string, err error) error {
		return errors.New("rocketchat: Instance." + name + ": " + err.Error())
	}
	if in.Host == "undefined" {
		return field("Host", errors.New(`"undefined" means an unknown host on the wire`))
	}
	if err := checkPort(in.Port); err != nil {
		return field("Port", err)
	}
	if err := checkPort(in.TCPPort); err != nil {
		return field("TCPPort", err)
	}
	if in.ProcessUptime < 0 {
		return field("ProcessUptime", errors.New("negative"))
	}
	if in.OS.Uptime < 0 {
		return field("OS.Uptime", errors.New("negative"))
	}
	for i, f := range in.OS.LoadAvg {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return field("OS.LoadAvg["+strconv.Itoa(i)+"]", errors.New("not a finite number"))
		}
	}
	var buf [40]byte
	if _, err := appendTime(buf[:0], in.CreatedAt); err != nil && !in.CreatedAt.IsZero() {
		return field("CreatedAt", err)
	}
	if _, err := appendTime(buf[:0], in.UpdatedAt); err != nil && !in.UpdatedAt.IsZero() {
		return field("UpdatedAt", err)
	}
	return nil
}

// instancesResponse is the answer of GET /api/v1/instances.get.
type instancesResponse struct {
	apiStatus `json:",inline"`
	Instances []Instance `json:"instances"`
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
	var out instancesResponse
	r := &request{method: http.MethodGet, endpoint: "v1/instances.get"}
	if err := c.do(ctx, r, &out); err != nil {
		return nil, err
	}
	if out.Instances == nil {
		return nil, invalidResponse(r.method, r.path(c), http.StatusOK, errNoInstances)
	}
	return out.Instances, nil
}
