package rocketchat_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/go-rocketchat/rocketchat"
)

// answersServer starts a loopback server that answers chat.postMessage
// and channels.list with real answers of a Rocket.Chat server (the
// OpenAPI examples in testdata/).
func answersServer() *httptest.Server {
	files := map[string]string{
		"/api/v1/chat.postMessage": "testdata/chat_postMessage.json",
		"/api/v1/channels.list":    "testdata/channels_list.json",
	}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := os.ReadFile(files[r.URL.Path])
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
}

func ExampleClient_PostMessage() {
	srv := answersServer()
	defer srv.Close()

	c, err := rocketchat.NewClient(srv.URL, rocketchat.WithCredentials(rocketchat.Credentials{UserID: "y65tAmHs93aDChMWu", Token: "token"}))
	if err != nil {
		log.Fatal(err)
	}
	// Channel takes "#room" or "@username"; RoomID takes a room's ID.
	m, err := c.PostMessage(context.Background(), rocketchat.NewMessage{Channel: "#general", Text: "This is a test!"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.ID, m.RoomID, m.Sender.Username, m.Text)
	fmt.Println(m.Timestamp.Format("2006-01-02 15:04:05"))
	// Output:
	// jC9chsFddTvsbFQG7 GENERAL graywolf336 This is a test!
	// 2016-12-14 20:56:05
}

func ExampleClient_Channels() {
	srv := answersServer()
	defer srv.Close()

	c, err := rocketchat.NewClient(srv.URL, rocketchat.WithCredentials(rocketchat.Credentials{UserID: "GdEsNbLxzoBgG8XoQ", Token: "token"}))
	if err != nil {
		log.Fatal(err)
	}
	// Pages of 100 are fetched as the loop asks for them; breaking out
	// of the loop sends no further request.
	for room, err := range c.Channels(context.Background()) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("#%s: %d members, %d messages\n", room.Name, room.UsersCount, room.MessagesCount)
	}
	// Output:
	// #general: 6 members, 6 messages
	// #test-channel: 1 members, 0 messages
}
