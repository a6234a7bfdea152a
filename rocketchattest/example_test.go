package rocketchattest_test

import (
	"encoding/json"
	"fmt"
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
