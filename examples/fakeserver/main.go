// Command fakeserver runs the rocketchattest fake Rocket.Chat server as a
// standalone HTTP server, to try a client (this SDK's examples, curl, the
// official JavaScript client) against a chosen server generation without
// a real Rocket.Chat. It serves the REST API under /api and the realtime
// API (DDP) at /websocket, where every message posted, edited, reacted to
// or deleted through REST reaches the subscribed streams.
//
//	go run ./examples/fakeserver -addr 127.0.0.1:3000 -version 8.8.1 -admin admin:secret -user bob:bobpass
//
// -admin and -user may be repeated; admins hold view-statistics (needed
// by instances.get and statistics) and are exempt from rate limits,
// plain users are not. The server starts with #general; -group adds a
// private group owned by the first account. -require-2fa marks an endpoint as requiring a second factor (the
// SHA-256 of the password for these accounts). The server prints its URL
// and runs until interrupted (Ctrl-C). -endpoints prints what the chosen
// version serves and exits.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/go-rocketchat/rocketchat/rocketchattest"
)

// accounts collects repeated name:password flags.
type accounts []rocketchattest.User

func (a *accounts) String() string { return fmt.Sprint(len(*a), " accounts") }

func (a *accounts) set(value string, roles ...string) error {
	name, password, ok := strings.Cut(value, ":")
	if !ok || name == "" || password == "" {
		return fmt.Errorf("want name:password, got %q", value)
	}
	*a = append(*a, rocketchattest.User{Username: name, Password: password, Roles: roles})
	return nil
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("fakeserver: ")

	var users accounts
	var twoFactor, groups []string
	addr := flag.String("addr", "127.0.0.1:3000", "address to listen on")
	version := flag.String("version", rocketchattest.DefaultVersion, "Rocket.Chat version to imitate, e.g. 5.4.2, 6.13.1, 8.8.1, 9.0.0")
	basePath := flag.String("base-path", "", "serve under this sub-path, e.g. /chat")
	noRateLimit := flag.Bool("no-rate-limit", false, "turn the rate limiter off")
	tokens := flag.Bool("tokens", false, "print a personal access token for each account")
	endpoints := flag.Bool("endpoints", false, "print the endpoints the chosen version serves, and exit")
	flag.Func("admin", "an admin account `name:password` (repeatable)", func(v string) error { return users.set(v, "admin") })
	flag.Func("user", "a plain user account `name:password` (repeatable)", func(v string) error { return users.set(v, "user") })
	flag.Func("require-2fa", "require a second factor on `endpoint`, e.g. v1/instances.get (repeatable)", func(v string) error {
		twoFactor = append(twoFactor, v)
		return nil
	})
	flag.Func("group", "a private group `name` owned by the first account (repeatable)", func(v string) error {
		groups = append(groups, v)
		return nil
	})
	flag.Parse()
	if flag.NArg() > 0 {
		log.Fatalf("unexpected arguments: %v", flag.Args())
	}
	if *endpoints {
		srv, err := newServer([]rocketchattest.Option{rocketchattest.WithVersion(*version)})
		if err != nil {
			log.Fatal(err)
		}
		for _, e := range srv.Endpoints() {
			fmt.Println(e)
		}
		fmt.Println("GET websocket (the realtime API)")
		srv.Close()
		return
	}

	l, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	opts := []rocketchattest.Option{
		rocketchattest.WithVersion(*version),
		rocketchattest.WithBasePath(*basePath),
		rocketchattest.WithListener(l),
	}
	for _, u := range users {
		opts = append(opts, rocketchattest.WithUser(u))
	}
	for _, g := range groups {
		if len(users) == 0 {
			log.Fatal("-group needs an account to own it")
		}
		opts = append(opts, rocketchattest.WithRoom(rocketchattest.Room{Type: "p", Name: g, Creator: users[0].Username}))
	}
	if len(twoFactor) > 0 {
		opts = append(opts, rocketchattest.WithTwoFactor(twoFactor...))
	}
	if *noRateLimit {
		opts = append(opts, rocketchattest.WithoutRateLimit())
	}
	srv, err := newServer(opts)
	if err != nil {
		l.Close()
		log.Fatal(err)
	}
	defer srv.Close()

	fmt.Printf("Rocket.Chat %s (fake) listening on %s\n", srv.Version(), srv.URL)
	if len(users) == 0 {
		fmt.Println("no accounts: add -admin name:password or -user name:password")
	}
	for _, u := range users {
		line := fmt.Sprintf("  %-5s %s  user ID %s", u.Roles[0], u.Username, srv.UserID(u.Username))
		if *tokens {
			_, tok := srv.PersonalAccessToken(u.Username)
			line += "  token " + tok
		}
		fmt.Println(line)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	fmt.Println("stopping")
}

// newServer turns NewServer's panics on bad options (a version it cannot
// read, a duplicate account) into an error to report.
func newServer(opts []rocketchattest.Option) (srv *rocketchattest.Server, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return rocketchattest.NewServer(opts...), nil
}
