package rocketchat

import (
	"context"
	"strconv"
	"strings"
)

// AtLeast reports whether the server's version is major.minor or newer,
// for features that depend on it. It is false when the version is unknown.
func (i *ServerInfo) AtLeast(major, minor int) bool {
	gotMajor, gotMinor, ok := parseMajorMinor(i.Version)
	if !ok {
		return false
	}
	return gotMajor > major || (gotMajor == major && gotMinor >= minor)
}

// parseMajorMinor reads "8.8.1", "8.8" or "7.0.0-rc.1".
func parseMajorMinor(v string) (major, minor int, ok bool) {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(parts[0])
	minorText, _, _ := strings.Cut(parts[1], "-")
	minor, err2 := strconv.Atoi(minorText)
	return major, minor, err1 == nil && err2 == nil
}

// infoResponse is the answer of GET /api/info in all its forms: anonymous
// {"version":"8.8"}; with the permission, a full "version" and an "info"
// object; from older servers to admins, "info" alone, whose "version" is
// then the only one.
type infoResponse struct {
	verdict `json:",inline"`
	Version string `json:"version"`
	Info    struct {
		Version string `json:"version"`
		Commit  struct {
			Hash string `json:"hash"`
		} `json:"commit"`
	} `json:"info"`
	MinimumClientVersions struct {
		Desktop string `json:"desktop"`
		Mobile  string `json:"mobile"`
	} `json:"minimumClientVersions"`
	CloudWorkspaceID string `json:"cloudWorkspaceId"`
}

func (a *infoResponse) check() error {
	if a.Version == "" && a.Info.Version == "" {
		return errNoVersion
	}
	return nil
}

// ServerInfo returns the server's version and build (GET /api/info). It
// needs no credentials; with credentials holding view-statistics the
// version is complete.
func (c *Client) ServerInfo(ctx context.Context) (*ServerInfo, error) {
	var out infoResponse
	if err := c.get(ctx, "info", nil, &out); err != nil {
		return nil, err
	}
	info := &ServerInfo{
		Version:               out.Version,
		Commit:                out.Info.Commit.Hash,
		MinimumDesktopVersion: out.MinimumClientVersions.Desktop,
		MinimumMobileVersion:  out.MinimumClientVersions.Mobile,
		CloudWorkspaceID:      out.CloudWorkspaceID,
	}
	// info.version is the full version; older servers send it alone.
	if out.Info.Version != "" {
		info.Version = out.Info.Version
	}
	return info, nil
}
