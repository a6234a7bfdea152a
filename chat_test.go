package rocketchat_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/go-rocketchat/rocketchat"
)

// at parses an ISO-8601 time of the test answers.
func at(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm.UTC()
}

func TestPostMessage(t *testing.T) {
	tests := []struct {
		name string
		file string
		in   rocketchat.NewMessage
		body string
		want func(t *testing.T) *rocketchat.Message
	}{{
		name: "to a channel",
		file: "chat_postMessage.json",
		in:   rocketchat.NewMessage{Channel: "#general", Text: "This is a test!"},
		body: `{"channel":"#general","text":"This is a test!"}`,
		want: func(t *testing.T) *rocketchat.Message {
			return &rocketchat.Message{
				ID: "jC9chsFddTvsbFQG7", RoomID: "GENERAL", Text: "This is a test!",
				Sender:    rocketchat.UserRef{ID: "y65tAmHs93aDChMWu", Username: "graywolf336"},
				Timestamp: at(t, "2016-12-14T20:56:05.117Z"), UpdatedAt: at(t, "2016-12-14T20:56:05.119Z"),
			}
		},
	}, {
		name: "a thread reply with an attachment",
		file: "chat_postMessage_thread_attachment.json",
		in: rocketchat.NewMessage{
			RoomID: "GENERAL", ThreadID: "jC9chsFddTvsbFQG7", Text: "Sample message",
			Alias: "Gruggy", Emoji: ":smirk:", Avatar: "http://res.guggy.com/logo_128.png",
			Attachments: []rocketchat.Attachment{{
				Title: "Attachment Example", TitleLink: "https://youtube.com", Text: "Yay for gruggy!", Color: "#ff0000",
				ImageURL: "http://res.guggy.com/logo_128.png", AuthorName: "Bradley Hilton",
				AuthorIcon: "https://avatars.githubusercontent.com/u/850391?v=3",
				Fields: []rocketchat.AttachmentField{
					{Title: "Test", Value: "Testing out something or other", Short: true},
					{Title: "Another Test", Value: "[Link](https://google.com/) something and this and that.", Short: true},
				},
			}},
		},
		body: `{"roomId":"GENERAL","text":"Sample message","tmid":"jC9chsFddTvsbFQG7","alias":"Gruggy","emoji":":smirk:",` +
			`"avatar":"http://res.guggy.com/logo_128.png","attachments":[{"title":"Attachment Example","title_link":"https://youtube.com",` +
			`"text":"Yay for gruggy!","color":"#ff0000","image_url":"http://res.guggy.com/logo_128.png","author_name":"Bradley Hilton",` +
			`"author_icon":"https://avatars.githubusercontent.com/u/850391?v=3","fields":[{"title":"Test","value":"Testing out something or other","short":true},` +
			`{"title":"Another Test","value":"[Link](https://google.com/) something and this and that.","short":true}]}]}`,
		want: func(t *testing.T) *rocketchat.Message {
			return &rocketchat.Message{
				ID: "Fs6X8ifWy4ABqHy5F", RoomID: "GENERAL", Text: "Sample message", ThreadID: "jC9chsFddTvsbFQG7",
				Sender:    rocketchat.UserRef{ID: "y65tAmHs93aDChMWu", Username: "graywolf336", Name: "Gray Wolf"},
				Timestamp: at(t, "2024-07-11T11:32:11.220Z"), UpdatedAt: at(t, "2024-07-11T11:32:11.231Z"),
				Alias: "Gruggy", Emoji: ":smirk:", Avatar: "http://res.guggy.com/logo_128.png",
				Attachments: []rocketchat.Attachment{{
					Title: "Attachment Example", TitleLink: "https://youtube.com", Text: "Yay for gruggy!", Color: "#ff0000",
					ImageURL: "http://res.guggy.com/logo_128.png", AuthorName: "Bradley Hilton",
					AuthorIcon: "https://avatars.githubusercontent.com/u/850391?v=3",
					Fields: []rocketchat.AttachmentField{
						{Title: "Test", Value: "Testing out something or other", Short: true},
						{Title: "Another Test", Value: "[Link](https://google.com/) something and this and that.", Short: true},
					},
				}},
				Mentions: []rocketchat.UserRef{{ID: "here", Username: "here"}},
			}
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.answer("v1/chat.postMessage", http.StatusOK, tt.file)
			got, err := f.client().PostMessage(context.Background(), tt.in)
			if err != nil {
				t.Fatalf("PostMessage: %v", err)
			}
			if diff := cmp.Diff(tt.want(t), got); diff != "" {
				t.Errorf("PostMessage (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]sentRequest{wantPost("v1/chat.postMessage", tt.body)}, f.sent()); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPostMessageChecksInput rejects a message that cannot be posted
// before anything is sent.
func TestPostMessageChecksInput(t *testing.T) {
	for name, m := range map[string]rocketchat.NewMessage{
		"neither room nor channel":  {Text: "hi"},
		"both room and channel":     {RoomID: "GENERAL", Channel: "#general", Text: "hi"},
		"thread reply without room": {Channel: "#general", ThreadID: "jC9chsFddTvsbFQG7", Text: "hi"},
		"nothing to say":            {RoomID: "GENERAL"},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFakeAPI(t)
			got, err := f.client().PostMessage(context.Background(), m)
			if err == nil || got != nil || !strings.HasPrefix(err.Error(), "rocketchat: PostMessage: ") {
				t.Errorf("PostMessage = %v, %v; want a PostMessage error", got, err)
			}
			if n := len(f.sent()); n != 0 {
				t.Errorf("%d requests sent", n)
			}
		})
	}
}

func TestMessage(t *testing.T) {
	f := newFakeAPI(t)
	f.answer("v1/chat.getMessage", http.StatusOK, "chat_getMessage.json")
	got, err := f.client().Message(context.Background(), "CeXwh5eBbdrtvnqG6")
	if err != nil {
		t.Fatalf("Message: %v", err)
	}
	want := &rocketchat.Message{
		ID: "CeXwh5eBbdrtvnqG6", RoomID: "agh2Sucgb54RQ8dDo", Text: "s",
		Sender:    rocketchat.UserRef{ID: "KPkEYwKKBKZnEEPpt", Username: "marc.pow", Name: "Marc Pow"},
		Timestamp: at(t, "2018-10-05T13:48:21.616Z"), UpdatedAt: at(t, "2018-10-05T13:48:49.535Z"),
		Reactions: map[string][]string{":frowning2:": {"marcos.defendi"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Message (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]sentRequest{wantGet("v1/chat.getMessage", url.Values{"msgId": {"CeXwh5eBbdrtvnqG6"}})}, f.sent()); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
}

func TestUpdateMessage(t *testing.T) {
	f := newFakeAPI(t)
	f.answer("v1/chat.update", http.StatusOK, "chat_update.json")
	text := "Updated list of links! https://google.com https://hola.org/ https://www.usepayday.com/ https://www.getbumpa.com/ https://www.atlassian.com/software/jira http://localhost:3000/"
	got, err := f.client().UpdateMessage(context.Background(), "64f0f82c2c26843a68c1f7ba", "vzGBzSwy6jJQDwtZe", text)
	if err != nil {
		t.Fatalf("UpdateMessage: %v", err)
	}
	want := &rocketchat.Message{
		ID: "vzGBzSwy6jJQDwtZe", RoomID: "64f0f82c2c26843a68c1f7ba", Text: text,
		Sender:    rocketchat.UserRef{ID: "rbAXPnMktTFbNpwtJ", Username: "roxie", Name: "test test"},
		Timestamp: at(t, "2023-09-20T17:27:59.945Z"), UpdatedAt: at(t, "2023-09-20T22:22:45.793Z"),
		EditedAt: at(t, "2023-09-20T22:22:45.737Z"),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("UpdateMessage (-want +got):\n%s", diff)
	}
	body := `{"roomId":"64f0f82c2c26843a68c1f7ba","msgId":"vzGBzSwy6jJQDwtZe","text":` + quote(text) + `}`
	if diff := cmp.Diff([]sentRequest{wantPost("v1/chat.update", body)}, f.sent()); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

func TestDeleteMessage(t *testing.T) {
	f := newFakeAPI(t)
	f.answer("v1/chat.delete", http.StatusOK, "chat_delete.json")
	if err := f.client().DeleteMessage(context.Background(), "6GFJ3tbmHiyHbahmC", "jEnjsxuoDJamGjbH2"); err != nil {
		t.Fatalf("DeleteMessage: %v", err)
	}
	want := []sentRequest{wantPost("v1/chat.delete", `{"roomId":"6GFJ3tbmHiyHbahmC","msgId":"jEnjsxuoDJamGjbH2"}`)}
	if diff := cmp.Diff(want, f.sent()); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
}

func TestReact(t *testing.T) {
	for _, on := range []bool{true, false} {
		f := newFakeAPI(t)
		f.handle("v1/chat.react", func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, 200, []byte(`{"success":true}`)) // the server's whole answer (API.v1.success())
		})
		if err := f.client().React(context.Background(), "7aDSXtjMA3KPLxLjt", "smile", on); err != nil {
			t.Fatalf("React(%v): %v", on, err)
		}
		body := `{"messageId":"7aDSXtjMA3KPLxLjt","emoji":"smile","shouldReact":` + map[bool]string{true: "true", false: "false"}[on] + `}`
		if diff := cmp.Diff([]sentRequest{wantPost("v1/chat.react", body)}, f.sent()); diff != "" {
			t.Errorf("React(%v) request (-want +got):\n%s", on, diff)
		}
	}
}

// TestChatErrorForms serves each endpoint's failure answers.
func TestChatErrorForms(t *testing.T) {
	tests := []struct {
		name     string
		endpoint string
		status   int
		file     string
		call     func(*rocketchat.Client) error
		is       error
		typ      string
	}{
		{"postMessage unknown room", "v1/chat.postMessage", 400, "error_postMessage_invalid_channel.json",
			func(c *rocketchat.Client) error {
				_, err := c.PostMessage(context.Background(), rocketchat.NewMessage{Channel: "#nowhere", Text: "hi"})
				return err
			}, nil, "invalid-channel"},
		{"getMessage no msgId", "v1/chat.getMessage", 400, "error_getMessage_param.json",
			func(c *rocketchat.Client) error { _, err := c.Message(context.Background(), "x"); return err }, nil, ""},
		{"react unknown message", "v1/chat.react", 400, "error_react_message_not_found.json",
			func(c *rocketchat.Client) error { return c.React(context.Background(), "x", "smile", true) }, nil, "error-message-not-found"},
		{"delete 401", "v1/chat.delete", 401, "error_401_7x.json",
			func(c *rocketchat.Client) error { return c.DeleteMessage(context.Background(), "r", "m") }, rocketchat.ErrUnauthorized, ""},
		{"update 403", "v1/chat.update", 403, "error_403_8x.json",
			func(c *rocketchat.Client) error {
				_, err := c.UpdateMessage(context.Background(), "r", "m", "x")
				return err
			},
			rocketchat.ErrForbidden, "error-unauthorized"},
		{"postMessage 200 success:false", "v1/chat.postMessage", 200, "error_postMessage_invalid_channel.json",
			func(c *rocketchat.Client) error {
				_, err := c.PostMessage(context.Background(), rocketchat.NewMessage{Channel: "#nowhere", Text: "hi"})
				return err
			}, nil, "invalid-channel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t)
			f.answer(tt.endpoint, tt.status, tt.file)
			err := tt.call(f.client())
			var e *rocketchat.Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if e.StatusCode != tt.status || e.Type != tt.typ || e.Endpoint != "/chat/api/"+tt.endpoint {
				t.Errorf("got %+v", e)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
			}
			if strings.Contains(err.Error(), fakeToken) {
				t.Errorf("the error shows the token: %v", err)
			}
		})
	}
}

// TestMessageAnswerWithoutMessage reports a success without the message
// as an invalid response, not as an empty message.
func TestMessageAnswerWithoutMessage(t *testing.T) {
	f := newFakeAPI(t)
	f.handle("v1/chat.getMessage", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, []byte(`{"success":true}`)) })
	if got, err := f.client().Message(context.Background(), "x"); !errors.Is(err, rocketchat.ErrInvalidResponse) || got != nil {
		t.Errorf("Message = %v, %v; want ErrInvalidResponse", got, err)
	}
}
