package rocketchat_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/go-rocketchat/rocketchat"
	"github.com/go-rocketchat/rocketchat/rocketchattest"
)

// exampleServer starts a fake Rocket.Chat 8.8.1 with an admin and a plain
// user; the examples talk to it as they would to a real server.
func exampleServer() *rocketchattest.Server {
	return rocketchattest.NewServer(
		rocketchattest.WithUser(rocketchattest.User{Username: "admin", Password: "secret", Name: "Ada Admin", Roles: []string{"admin"}}),
		rocketchattest.WithUser(rocketchattest.User{Username: "bob", Password: "bobpass", Name: "Bob"}),
		rocketchattest.WithUser(rocketchattest.User{Username: "bot", Password: "botpass", Roles: []string{"bot"}, TOTPSecret: "JBSWY3DPEHPK3PXP"}),
	)
}

func ExampleClient_Instances() {
	srv := exampleServer()
	defer srv.Close()
	userID, token := srv.PersonalAccessToken("admin")

	c, err := rocketchat.NewClient(srv.URL, rocketchat.WithCredentials(rocketchat.Credentials{UserID: userID, Token: token}))
	if err != nil {
		log.Fatal(err)
	}
	instances, err := c.Instances(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	for _, in := range instances {
		fmt.Printf("%s:%d node %s connected=%v local=%v\n", in.Host, in.Port, in.NodeVersion, in.Connected, in.Local)
	}
	// Output:
	// 10.0.1.11:3000 node v22.16.0 connected=true local=true
	// 10.0.1.12:3000 node v22.16.0 connected=true local=false
	// 10.0.1.13:3000 node v22.16.0 connected=false local=false
}

func ExampleClient_Login() {
	srv := exampleServer()
	defer srv.Close()

	c, err := rocketchat.NewClient(srv.URL)
	if err != nil {
		log.Fatal(err)
	}
	me, err := c.Login(context.Background(), "admin", "secret")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("logged in as", me.Name)
	// The client stores the new credentials; the token never prints.
	fmt.Println(c.Credentials().UserID == me.ID, c.Credentials())

	// Keep c.Credentials() for the next run instead of logging in again;
	// when done for good, end the token:
	if err := c.Logout(context.Background()); err != nil {
		log.Fatal(err)
	}
	fmt.Println("logged out:", c.Credentials().IsZero())
	// Output:
	// logged in as Ada Admin
	// true {UserID:Mbyv6Wu3o55tKZkid Token:[redacted]}
	// logged out: true
}

func ExampleTOTP() {
	srv := exampleServer()
	defer srv.Close()

	// A bot whose account enforces 2FA logs in unattended with its secret.
	c, err := rocketchat.NewClient(srv.URL, rocketchat.WithTwoFactor(rocketchat.TOTP("JBSWY3DPEHPK3PXP")))
	if err != nil {
		log.Fatal(err)
	}
	me, err := c.Login(context.Background(), "bot", "botpass")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("logged in as", me.Username)
	// Output:
	// logged in as bot
}

func ExampleError() {
	srv := exampleServer()
	defer srv.Close()
	userID, token := srv.PersonalAccessToken("bob")

	c, err := rocketchat.NewClient(srv.URL, rocketchat.WithCredentials(rocketchat.Credentials{UserID: userID, Token: token}))
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.Instances(context.Background())
	switch {
	case errors.Is(err, rocketchat.ErrUnauthorized):
		fmt.Println("log in again")
	case errors.Is(err, rocketchat.ErrForbidden):
		fmt.Println("bob lacks a permission")
	}
	var e *rocketchat.Error
	if errors.As(err, &e) {
		fmt.Println(e.StatusCode, e.Type)
		fmt.Println(e)
	}
	// Output:
	// bob lacks a permission
	// 403 error-unauthorized
	// rocketchat: GET /api/v1/instances.get: 403 Forbidden: error-unauthorized: User does not have the permissions required for this action
}

func ExampleClient_Get() {
	srv := exampleServer()
	defer srv.Close()
	userID, token := srv.PersonalAccessToken("bob")
	c, err := rocketchat.NewClient(srv.URL, rocketchat.WithCredentials(rocketchat.Credentials{UserID: userID, Token: token}))
	if err != nil {
		log.Fatal(err)
	}

	// Any endpoint without a typed method, into your own type.
	var me struct {
		Username string `json:"username"`
		Name     string `json:"name"`
	}
	if err := c.Get(context.Background(), "v1/me", nil, &me); err != nil {
		log.Fatal(err)
	}
	fmt.Println(me.Username, me.Name)
	// Output:
	// bob Bob
}

func ExampleClient_ServerInfo() {
	srv := exampleServer()
	defer srv.Close()
	c, err := rocketchat.NewClient(srv.URL)
	if err != nil {
		log.Fatal(err)
	}
	info, err := c.ServerInfo(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(info.Version, info.AtLeast(6, 0))
	// Output:
	// 8.8 true
}
