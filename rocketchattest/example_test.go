package rocketchattest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/go-rocketchat/rocketchat/rocketchattest"
)

func ExampleNewServer() {
	srv := rocketchattest.NewServer(
		rocketchattest.WithVersion("6.13.1"),
		rocketchattest.WithUser(rocketchattest.User{Username: "admin", Password: "secret", Roles: []string{"admin"}}),
	)
	defer srv.Close()

	// Log in as a client would.
	resp, err := srv.Client().Post(srv.URL+"/api/v1/login", "application/json",
		strings.NewReader(`{"user":"admin","password":"secret"}`))
	if err != nil {
		panic(err)
	}
	var login struct {
		Data struct{ UserID, AuthToken string }
	}
	json.NewDecoder(resp.Body).Decode(&login)
	resp.Body.Close()

	// List the cluster with the new credentials.
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/instances.get", nil)
	req.Header.Set("X-User-Id", login.Data.UserID)
	req.Header.Set("X-Auth-Token", login.Data.AuthToken)
	resp, err = srv.Client().Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var list struct {
		Instances []struct {
			InstanceRecord struct {
				ExtraInformation struct{ Host, Port string }
			}
			CurrentStatus struct{ Connected bool }
		}
	}
	json.NewDecoder(resp.Body).Decode(&list)

	fmt.Println(resp.Status)
	for _, in := range list.Instances {
		x := in.InstanceRecord.ExtraInformation
		fmt.Printf("%s:%s connected=%v\n", x.Host, x.Port, in.CurrentStatus.Connected)
	}
	// Output:
	// 200 OK
	// 10.0.1.11:3000 connected=true
	// 10.0.1.12:3000 connected=true
	// 10.0.1.13:3000 connected=false
}

// greet is the code under test: a bot that welcomes a user in #general.
func greet(baseURL, userID, token, username string) error {
	body := strings.NewReader(`{"channel":"#general","text":"Welcome, @` + username + `!"}`)
	req, err := http.NewRequest(http.MethodPost, baseURL+"/api/v1/chat.postMessage", body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-User-Id", userID)
	req.Header.Set("X-Auth-Token", token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("chat.postMessage: %s", resp.Status)
	}
	return nil
}

// A bot's test written against rocketchattest alone: run the bot, read
// back what it posted, and check what it sent.
func ExampleServer_Calls() {
	srv := rocketchattest.NewServer(
		rocketchattest.WithUser(rocketchattest.User{Username: "greeter", Roles: []string{"bot"}}),
		rocketchattest.WithUser(rocketchattest.User{Username: "alice"}),
	)
	defer srv.Close()
	userID, token := srv.PersonalAccessToken("greeter")

	if err := greet(srv.URL, userID, token, "alice"); err != nil {
		panic(err)
	}

	for _, m := range srv.Messages("GENERAL") {
		fmt.Printf("%s in #general: %s\n", m.Username, m.Text)
	}
	for _, c := range srv.Calls("v1/chat.postMessage") {
		fmt.Println(c.Method, c.Status, c.UserID == userID, string(c.Body))
	}
	// Output:
	// greeter in #general: Welcome, @alice!
	// POST 200 true {"channel":"#general","text":"Welcome, @alice!"}
}

// An endpoint the fake does not serve, added behind its authentication.
func ExampleServer_HandleFunc() {
	srv := rocketchattest.NewServer(rocketchattest.WithUser(rocketchattest.User{Username: "bob"}))
	defer srv.Close()
	srv.HandleFunc("v1/custom.hello", func(w http.ResponseWriter, r *http.Request) {
		u, _ := rocketchattest.CallerOf(r)
		rocketchattest.WriteSuccess(w, map[string]string{"hello": u.Username})
	})
	id, tok := srv.PersonalAccessToken("bob")
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/custom.hello", nil)
	req.Header.Set("X-User-Id", id)
	req.Header.Set("X-Auth-Token", tok)
	resp, err := srv.Client().Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(b))
	// Output:
	// 200 {"hello":"bob","success":true}
}
