// Command instances lists the members of a Rocket.Chat cluster as a table:
// id, address, Node.js version, uptime, load, memory, connections, status
// and how fresh each record is.
//
//	ROCKETCHAT_URL=https://chat.example.com \
//	ROCKETCHAT_USER_ID=... ROCKETCHAT_AUTH_TOKEN=... go run ./examples/instances
//
// The user needs the view-statistics permission (admins have it). With no
// URL configured it starts the built-in demo server, an in-process fake of
// Rocket.Chat 8.8.1, and lists its demo cluster. -json prints the instances
// as JSON instead.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/go-rocketchat/rocketchat"
	"github.com/go-rocketchat/rocketchat/rocketchattest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "instances:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("instances", flag.ContinueOnError)
	fs.SetOutput(stderr)
	serverURL := fs.String("url", os.Getenv("ROCKETCHAT_URL"), "server URL (ROCKETCHAT_URL); empty: the built-in demo server")
	userID := fs.String("user-id", os.Getenv("ROCKETCHAT_USER_ID"), "user ID (ROCKETCHAT_USER_ID)")
	token := fs.String("token", os.Getenv("ROCKETCHAT_AUTH_TOKEN"), "auth or personal access token (ROCKETCHAT_AUTH_TOKEN)")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	timeout := fs.Duration("timeout", 30*time.Second, "time limit for the whole call, retries included")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil // -h, -help, --help: the usage is the answer
		}
		return err
	}

	if *serverURL == "" {
		demo := startDemo()
		defer demo.Close()
		*serverURL = demo.URL
		*userID, *token = demo.PersonalAccessToken("admin")
		fmt.Fprintf(stderr, "No ROCKETCHAT_URL set: listing the built-in demo server (a fake Rocket.Chat %s at %s).\n", demo.Version(), demo.URL)
	}

	c, err := rocketchat.NewClient(*serverURL, rocketchat.WithCredentials(rocketchat.Credentials{UserID: *userID, Token: *token}))
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	instances, err := c.Instances(ctx)
	if err != nil {
		return explain(err)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(instances)
	}
	return printTable(stdout, instances, time.Now())
}

// startDemo starts the in-process fake server with an admin account.
func startDemo() *rocketchattest.Server {
	return rocketchattest.NewServer(rocketchattest.WithUser(rocketchattest.User{
		Username: "admin", Password: "demo", Name: "Demo Admin", Roles: []string{"admin"},
	}))
}

// explain adds what to do about the errors people meet here.
func explain(err error) error {
	switch {
	case errors.Is(err, rocketchat.ErrUnauthorized):
		return fmt.Errorf("not logged in: check ROCKETCHAT_USER_ID and ROCKETCHAT_AUTH_TOKEN (%w)", err)
	case errors.Is(err, rocketchat.ErrForbidden):
		return fmt.Errorf("this user lacks the view-statistics permission that instances.get needs (%w)", err)
	case errors.Is(err, rocketchat.ErrNotFound):
		return fmt.Errorf("no instances.get here: is this Rocket.Chat 3.10 or newer, and the right URL? (%w)", err)
	case errors.Is(err, rocketchat.ErrRateLimited):
		return fmt.Errorf("rate limited by the server: try again later (%w)", err)
	}
	return err
}

func printTable(w io.Writer, instances []rocketchat.Instance, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tADDRESS\tNODE\tUPTIME\tLOAD 1m\tMEM USED\tCONNS\tCONNECTED\tLOCAL\tAGE")
	for _, in := range instances {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.2f\t%s\t%d\t%s\t%s\t%s\n",
			shortID(in.ID), hostPort(in), orDash(in.NodeVersion), uptime(in),
			in.OS.LoadAvg[0], memUsed(in.OS), in.Conns, yesNo(in.Connected), yesNo(in.Local),
			age(in.UpdatedAt, now))
	}
	return tw.Flush()
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return orDash(id)
}

func hostPort(in rocketchat.Instance) string {
	host := orDash(in.Host)
	if in.Port == 0 {
		return host
	}
	return host + ":" + strconv.Itoa(in.Port)
}

// uptime is the process's uptime where the server reports it (6.0+, for
// members the broker knows), else the host's, marked as such.
func uptime(in rocketchat.Instance) string {
	if in.ProcessUptime > 0 {
		return duration(in.ProcessUptime)
	}
	if in.OS.Uptime > 0 {
		return duration(in.OS.Uptime) + " (host)"
	}
	return "-"
}

func memUsed(os rocketchat.OS) string {
	if os.TotalMem == 0 || os.FreeMem > os.TotalMem {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(os.TotalMem-os.FreeMem)/float64(os.TotalMem))
}

// duration prints the two largest units: 3d4h, 5h12m, 42s.
func duration(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	d = d.Round(time.Second)
	days, d := d/(24*time.Hour), d%(24*time.Hour)
	hours, d := d/time.Hour, d%time.Hour
	minutes, seconds := d/time.Minute, (d%time.Minute)/time.Second
	switch {
	case days > 0:
		return fmt.Sprintf("%dd%dh", days, hours)
	case hours > 0:
		return fmt.Sprintf("%dh%dm", hours, minutes)
	case minutes > 0:
		return fmt.Sprintf("%dm%ds", minutes, seconds)
	}
	return fmt.Sprintf("%ds", seconds)
}

func age(updated, now time.Time) string {
	if updated.IsZero() {
		return "-"
	}
	if d := now.Sub(updated); d > 0 {
		return duration(d) + " ago"
	}
	return "now"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
