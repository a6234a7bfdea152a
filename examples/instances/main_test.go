package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/go-rocketchat/rocketchat"
	"github.com/go-rocketchat/rocketchat/rocketchattest"
)

func TestDemoModeTable(t *testing.T) {
	t.Setenv("ROCKETCHAT_URL", "")
	var out, errOut bytes.Buffer
	if err := run(context.Background(), nil, &out, &errOut); err != nil {
		t.Fatalf("run: %v", err)
	}
	if !strings.Contains(errOut.String(), "built-in demo server") {
		t.Errorf("stderr does not say it uses the demo server: %q", errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "ID ") {
		t.Fatalf("want a header and 3 rows, got:\n%s", out.String())
	}
	for _, want := range []string{"10.0.1.11:3000", "v22.16.0", "yes", "25s ago"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}

func TestDemoModeJSON(t *testing.T) {
	t.Setenv("ROCKETCHAT_URL", "")
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"-json"}, &out, &errOut); err != nil {
		t.Fatalf("run: %v", err)
	}
	var got []rocketchat.Instance
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("output is not a JSON list of instances: %v\n%s", err, out.String())
	}
	if len(got) != 3 || got[0].Host != "10.0.1.11" || got[0].Port != 3000 {
		t.Errorf("decoded %+v", got)
	}
}

func TestMissingPermissionIsExplained(t *testing.T) {
	srv := rocketchattest.NewServer(rocketchattest.WithUser(rocketchattest.User{Username: "bob", Password: "x"}))
	defer srv.Close()
	id, token := srv.PersonalAccessToken("bob")
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"-url", srv.URL, "-user-id", id, "-token", token}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "view-statistics") || strings.Contains(err.Error(), "\n") {
		t.Errorf("err = %v, want one line naming view-statistics", err)
	}
	if strings.Contains(err.Error(), token) {
		t.Errorf("the error shows the token")
	}
}

func TestPrintTable(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	var out bytes.Buffer
	err := printTable(&out, []rocketchat.Instance{{
		ID: "871f8be4-5fdb-45a8-868f-8d3e28a39148", Host: "localhost", Port: 3000, NodeVersion: "v14.21.3",
		Conns: 7, Connected: true, Local: true, ProcessUptime: 26*time.Hour + 5*time.Minute,
		UpdatedAt: now.Add(-3 * time.Second),
		OS:        rocketchat.OS{LoadAvg: [3]float64{0.41, 0.17, 0.15}, TotalMem: 4000, FreeMem: 1000},
	}, {ID: "x", OS: rocketchat.OS{Uptime: 42 * time.Second}}}, now)
	if err != nil {
		t.Fatal(err)
	}
	want := "" +
		"ID        ADDRESS         NODE      UPTIME      LOAD 1m  MEM USED  CONNS  CONNECTED  LOCAL  AGE\n" +
		"871f8be4  localhost:3000  v14.21.3  1d2h        0.41     75%       7      yes        yes    3s ago\n" +
		"x         -               -         42s (host)  0.00     -         0      no         no     -\n"
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
	}
}
