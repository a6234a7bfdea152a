package rocketchattest

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/go-rocketchat/rocketchat"
)

// The wire forms of instances.get are written by this package from the
// Instance fields, never through the SDK's own JSON methods, so that the
// SDK's tests against this server check the SDK's decoding against an
// independent encoder.

// wireRecord is the instance record as stored in the instances
// collection: what 3.10 to 5.x list directly, and what 6.0 and later wrap
// as instanceRecord.
type wireRecord struct {
	ID               string    `json:"_id"`
	CreatedAt        string    `json:"_createdAt"`
	UpdatedAt        string    `json:"_updatedAt"`
	ExtraInformation wireExtra `json:"extraInformation"`
	Name             string    `json:"name"`
	PID              int       `json:"pid"`
}

type wireExtra struct {
	Host        string `json:"host"`
	Port        string `json:"port"`
	TCPPort     int    `json:"tcpPort,omitempty"`
	OS          wireOS `json:"os"`
	NodeVersion string `json:"nodeVersion"`
	Conns       int    `json:"conns,omitempty"`
}

type wireOS struct {
	Type     string     `json:"type"`
	Platform string     `json:"platform"`
	Arch     string     `json:"arch"`
	Release  string     `json:"release"`
	Uptime   float64    `json:"uptime"`
	LoadAvg  [3]float64 `json:"loadavg"`
	TotalMem uint64     `json:"totalmem"`
	FreeMem  uint64     `json:"freemem"`
	CPUs     int        `json:"cpus"`
}

// wireRawInstance is a 3.10 to 5.x item: the record, plus, for the
// members other than the one answering, the DDP connection to them
// (streamBroadcast's getInstanceConnection, its instanceRecord removed).
type wireRawInstance struct {
	wireRecord
	Connection *wireConnection `json:"connection,omitempty"`
}

type wireConnection struct {
	Address       string        `json:"address"`
	CurrentStatus wireDDPStatus `json:"currentStatus"`
	BroadcastAuth bool          `json:"broadcastAuth"`
}

// wireDDPStatus is a Meteor DDP connection's status().
type wireDDPStatus struct {
	Connected  bool   `json:"connected"`
	Status     string `json:"status"`
	RetryCount int    `json:"retryCount"`
	RetryTime  int64  `json:"retryTime,omitempty"`
}

// wireWrappedInstance is a 6.0+ item (apps/meteor/server/api/v1/
// instances.ts): the broker's view of the member around its record.
type wireWrappedInstance struct {
	Address        string            `json:"address,omitempty"`
	CurrentStatus  wireCurrentStatus `json:"currentStatus"`
	InstanceRecord wireRecord        `json:"instanceRecord"`
	BroadcastAuth  bool              `json:"broadcastAuth"`
}

type wireCurrentStatus struct {
	Connected         bool  `json:"connected"`
	LastHeartbeatTime *int  `json:"lastHeartbeatTime,omitempty"`
	Local             *bool `json:"local,omitempty"`
}

// serveInstances is GET /api/v1/instances.get.
func (s *Server) serveInstances(w http.ResponseWriter, r *http.Request, rc *requestContext) {
	s.mu.Lock()
	members := append([]rocketchat.Instance(nil), s.instances...)
	s.mu.Unlock()

	items := make([]any, 0, len(members))
	for _, m := range members {
		if s.gen.rawInstances {
			items = append(items, s.rawInstance(m))
		} else {
			items = append(items, s.wrappedInstance(m))
		}
	}
	writeJSON(w, http.StatusOK, object{{"instances", items}, {"success", true}})
}

func (s *Server) record(m rocketchat.Instance) wireRecord {
	uptime := m.OS.Uptime.Seconds()
	if s.gen.floatUptime {
		uptime = math.Round(uptime*100) / 100
	} else {
		uptime = math.Trunc(uptime)
	}
	extra := wireExtra{
		Host:        orUndefined(m.Host),
		Port:        "undefined",
		OS:          wireOS{m.OS.Type, m.OS.Platform, m.OS.Arch, m.OS.Release, uptime, m.OS.LoadAvg, m.OS.TotalMem, m.OS.FreeMem, m.OS.CPUs},
		NodeVersion: m.NodeVersion,
	}
	// JavaScript writes String(undefined) for an unknown host or port;
	// the fake does the same for the zero values.
	if m.Port != 0 {
		extra.Port = strconv.Itoa(m.Port)
	}
	if !s.gen.rawInstances {
		extra.TCPPort = m.TCPPort
		extra.Conns = m.Conns
	}
	return wireRecord{
		ID:               m.ID,
		CreatedAt:        isoTime(m.CreatedAt),
		UpdatedAt:        isoTime(m.UpdatedAt),
		ExtraInformation: extra,
		Name:             m.Name,
		PID:              m.PID,
	}
}

func (s *Server) rawInstance(m rocketchat.Instance) wireRawInstance {
	item := wireRawInstance{wireRecord: s.record(m)}
	if m.Local {
		// The answering member has no connection to itself.
		return item
	}
	c := &wireConnection{Address: m.Address, BroadcastAuth: m.BroadcastAuth}
	if m.Connected {
		c.CurrentStatus = wireDDPStatus{Connected: true, Status: "connected"}
	} else {
		c.CurrentStatus = wireDDPStatus{Status: "waiting", RetryCount: 1, RetryTime: s.now().Add(5 * time.Second).UnixMilli()}
	}
	item.Connection = c
	return item
}

func (s *Server) wrappedInstance(m rocketchat.Instance) wireWrappedInstance {
	item := wireWrappedInstance{
		Address:        m.Address,
		CurrentStatus:  wireCurrentStatus{Connected: m.Connected},
		InstanceRecord: s.record(m),
		// The server always sends true here.
		BroadcastAuth: true,
	}
	// The broker knows the member when it has an address for it; without
	// broker data, local is absent. lastHeartbeatTime is the process
	// uptime, absent when unknown.
	if m.ProcessUptime > 0 {
		hb := int(m.ProcessUptime / time.Second)
		item.CurrentStatus.LastHeartbeatTime = &hb
	}
	if m.Address != "" || m.Local {
		local := m.Local
		item.CurrentStatus.Local = &local
	}
	return item
}

// isoTime writes a time as JavaScript's Date.toISOString does.
func isoTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

func orUndefined(s string) string {
	if s == "" {
		return "undefined"
	}
	return s
}

// defaultInstances is a three-member cluster of the generation, as the
// server would list it at start: the answering member, a healthy peer,
// and a peer that stopped answering a while ago but whose record has not
// expired yet. Times are relative to start, so they follow [WithClock].
func defaultInstances(g generation, start time.Time) []rocketchat.Instance {
	start = start.Truncate(time.Millisecond)
	members := make([]rocketchat.Instance, 3)
	for i := range members {
		n := i + 1
		host := fmt.Sprintf("10.0.1.%d", 10+n)
		m := rocketchat.Instance{
			ID:          instanceID(g, n),
			Name:        "rocket.chat",
			PID:         1,
			CreatedAt:   start.Add(-time.Duration(72-n) * time.Hour),
			UpdatedAt:   start.Add(-time.Duration(n) * time.Second),
			Host:        host,
			Port:        3000,
			NodeVersion: g.nodeVersion,
			OS: rocketchat.OS{
				Type:     "Linux",
				Platform: "linux",
				Arch:     "x64",
				Release:  "5.15.0-105-generic",
				Uptime:   time.Duration(3_680_105+1000*n)*time.Second + 370*time.Millisecond,
				LoadAvg:  [3]float64{0.41 * float64(n), 0.37, 0.29},
				TotalMem: 16_777_216_000,
				FreeMem:  uint64(6_442_450_944 - 536_870_912*n),
				CPUs:     4,
			},
			Connected:     true,
			BroadcastAuth: true,
		}
		if g.rawInstances {
			// The DDP address of a peer, as the connection object shows it.
			m.Address = fmt.Sprintf("%s:3000/", host)
		} else {
			m.Address = host
			m.TCPPort = 41230 + n
			m.Conns = 13 - 4*n
			m.ProcessUptime = time.Duration(97_200-3600*n) * time.Second
		}
		members[i] = m
	}
	members[0].Local = true
	if g.rawInstances {
		members[0].Address = ""
	}
	// The third member stopped heartbeating 25 s ago.
	members[2].Connected = false
	members[2].UpdatedAt = start.Add(-25 * time.Second)
	if !g.rawInstances {
		members[2].Conns = 0
		members[2].ProcessUptime = 0
	}
	return members
}

// instanceID is a Meteor id up to 5.x and a UUID from 6.0, as the
// servers generate them.
func instanceID(g generation, n int) string {
	seed := fmt.Sprintf("instance-%d", n)
	if g.rawInstances {
		return meteorID(seed)
	}
	h := meteorID(seed) + meteorID(seed+"b")
	hexed := make([]byte, 32)
	for i := range hexed {
		hexed[i] = "0123456789abcdef"[int(h[i%len(h)])%16]
	}
	hexed[12] = '4'
	return fmt.Sprintf("%s-%s-%s-%s-%s", hexed[0:8], hexed[8:12], hexed[12:16], hexed[16:20], hexed[20:32])
}

// DecodedInstances returns the cluster members as a client reading this
// server's instances.get decodes them (the rocketchat package's
// Client.Instances included), which is less than [Server.Instances]
// holds because the wire carries less:
//
//   - every generation: CreatedAt and UpdatedAt in UTC, whole
//     milliseconds;
//   - 3.10 to 5.x (raw records): OS.Uptime in whole seconds; no TCPPort,
//     Conns or ProcessUptime; the answering member (Local) has no
//     connection object, so Local, Connected, BroadcastAuth and Address
//     read as zero for it; the other members keep Address, Connected and
//     BroadcastAuth;
//   - 6.0 and later (wrapped records): OS.Uptime rounded to hundredths of
//     a second, ProcessUptime to whole seconds, BroadcastAuth always true
//     (the server always sends true).
func (s *Server) DecodedInstances() []rocketchat.Instance {
	out := s.Instances()
	for i := range out {
		m := &out[i]
		m.CreatedAt = m.CreatedAt.UTC().Truncate(time.Millisecond)
		m.UpdatedAt = m.UpdatedAt.UTC().Truncate(time.Millisecond)
		if s.gen.rawInstances {
			m.OS.Uptime = m.OS.Uptime.Truncate(time.Second)
			m.TCPPort, m.Conns, m.ProcessUptime = 0, 0, 0
			if m.Local {
				m.Local, m.Connected, m.Address, m.BroadcastAuth = false, false, "", false
			}
			continue
		}
		m.OS.Uptime = m.OS.Uptime.Round(10 * time.Millisecond)
		m.ProcessUptime = m.ProcessUptime.Truncate(time.Second)
		m.BroadcastAuth = true
	}
	return out
}
