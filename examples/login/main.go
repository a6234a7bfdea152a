// Command login logs in to a Rocket.Chat server with a username and a
// password, answering a two-factor challenge on the terminal, and shows how
// to reuse the session instead of logging in again.
//
//	go run ./examples/login -url https://chat.example.com -user alice
//
// Flags may be replaced by ROCKETCHAT_URL, ROCKETCHAT_USER and
// ROCKETCHAT_PASSWORD. The password is read without echo when not given.
//
// Every password login creates a new token on the server, and servers cap
// how many a user may hold. Log in once, keep the user ID and token (shown
// with -show-token) in a secret store, and pass them as
// rocketchat.Credentials on later runs, or use a personal access token.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"golang.org/x/term"

	"github.com/go-rocketchat/rocketchat"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "login:", err)
		os.Exit(1)
	}
}

func run(args []string, stdin *os.File, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("login", flag.ContinueOnError)
	fs.SetOutput(stderr)
	serverURL := fs.String("url", os.Getenv("ROCKETCHAT_URL"), "server URL (ROCKETCHAT_URL)")
	user := fs.String("user", os.Getenv("ROCKETCHAT_USER"), "username or e-mail (ROCKETCHAT_USER)")
	password := fs.String("password", os.Getenv("ROCKETCHAT_PASSWORD"), "password (ROCKETCHAT_PASSWORD); asked for when empty")
	showToken := fs.Bool("show-token", false, "print the new auth token, to reuse it")
	logout := fs.Bool("logout", false, "log out again at the end, ending the new token")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil // -h, -help, --help: the usage is the answer
		}
		return err
	}
	if *serverURL == "" || *user == "" {
		fs.Usage()
		return errors.New("-url and -user are required")
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	in := bufio.NewReader(stdin)
	if *password == "" {
		p, err := prompt(stdin, in, stderr, "Password: ", true)
		if err != nil {
			return err
		}
		*password = p
	}
	askCode := func(_ context.Context, ch rocketchat.TwoFactorChallenge) (string, error) {
		label := "Two-factor code from your authenticator app: "
		switch ch.Method {
		case "email":
			label = "Two-factor code sent by e-mail: "
		case "password":
			label = "Confirm your password: "
		}
		if ch.Invalid {
			fmt.Fprintln(stderr, "That code was not accepted.")
		}
		return prompt(stdin, in, stderr, label, ch.Method == "password")
	}

	c, err := rocketchat.NewClient(*serverURL, rocketchat.WithTwoFactor(askCode))
	if err != nil {
		return err
	}
	me, err := c.Login(ctx, *user, *password)
	if err != nil {
		return explain(err)
	}
	creds := c.Credentials()
	fmt.Fprintf(stdout, "Logged in as %s (%s), user ID %s.\n", me.Username, me.Name, creds.UserID)
	if *showToken {
		fmt.Fprintf(stdout, "Reuse this session instead of logging in again:\n  export ROCKETCHAT_USER_ID=%s\n  export ROCKETCHAT_AUTH_TOKEN=%s\n", creds.UserID, creds.Token)
	} else {
		fmt.Fprintln(stdout, "Run again with -show-token to print the token for reuse (ROCKETCHAT_USER_ID / ROCKETCHAT_AUTH_TOKEN).")
	}
	if *logout {
		if err := c.Logout(ctx); err != nil {
			return explain(err)
		}
		fmt.Fprintln(stdout, "Logged out; the token is no longer valid.")
	}
	return nil
}

// prompt asks for one line; secret input is read without echo when stdin
// is a terminal.
func prompt(stdin *os.File, in *bufio.Reader, stderr io.Writer, label string, secret bool) (string, error) {
	fmt.Fprint(stderr, label)
	if secret && term.IsTerminal(int(stdin.Fd())) {
		b, err := term.ReadPassword(int(stdin.Fd()))
		fmt.Fprintln(stderr)
		return string(b), err
	}
	line, err := in.ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("reading %s%w", strings.ToLower(label), err)
	}
	return strings.TrimSpace(line), nil
}

// explain turns the errors a user meets at login into advice.
func explain(err error) error {
	switch {
	case errors.Is(err, rocketchat.ErrTwoFactorInvalid):
		return fmt.Errorf("the two-factor code was rejected: %w", err)
	case errors.Is(err, rocketchat.ErrUnauthorized):
		return fmt.Errorf("wrong username or password, or login blocked after failed attempts: %w", err)
	case errors.Is(err, rocketchat.ErrRateLimited):
		return fmt.Errorf("too many logins from this address; try again later: %w", err)
	}
	return err
}
