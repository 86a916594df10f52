package server

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"sort"
	"strings"
	"testing"
)

// dumpRequest answers with what the handler sees of its *http.Request,
// as JSON.
func dumpRequest(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	var trailerKeys []string
	for k := range r.Trailer {
		trailerKeys = append(trailerKeys, k)
	}
	sort.Strings(trailerKeys)
	d := map[string]any{
		"Method": r.Method, "URL": r.URL.String(), "Scheme": r.URL.Scheme, "Opaque": r.URL.Opaque,
		"User": r.URL.User.String(), "URLHost": r.URL.Host, "Path": r.URL.Path, "RawPath": r.URL.RawPath,
		"EscapedPath": r.URL.EscapedPath(), "ForceQuery": r.URL.ForceQuery, "RawQuery": r.URL.RawQuery,
		"Query": r.URL.Query(), "Proto": r.Proto, "Major": r.ProtoMajor, "Minor": r.ProtoMinor,
		"Header": r.Header, "ContentLength": r.ContentLength, "TransferEncoding": r.TransferEncoding,
		"Close": r.Close, "Host": r.Host, "TrailerKeys": trailerKeys, "RequestURI": r.RequestURI,
		"RemoteIP": host, "Body": string(body), "BodyErr": fmt.Sprint(err), "NoBody": r.Body == http.NoBody,
		"GetBody": r.GetBody != nil, "TLS": r.TLS != nil, "Form": r.FormValue("x"),
		"Pattern": r.Pattern, "Ctx": r.Context() != nil,
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(d)
}

// The *http.Request a handler gets is the one net/http's server builds
// from the same bytes: method as sent (extension methods too), URL as
// url.ParseRequestURI makes it (decoded path, RawPath, ForceQuery,
// absolute and authority forms, "*"), canonical header keys with repeated
// fields in order and without Host, Host, Proto, ContentLength,
// TransferEncoding, declared trailer keys, RequestURI, Close, and the body.
func TestBridgeBuildsRequestsAsNetHTTP(t *testing.T) {
	requests := map[string]string{
		"plain":             get("/a/b?x=1&y=%20z"),
		"escaped":           get("/users/%31/a%2Fb/%7Eme?q=%2F"),
		"force query":       get("/path?"),
		"double slash":      get("//double//slash"),
		"absolute":          "GET http://other.example/abs/p%61th?x=2 HTTP/1.1\r\nHost: example.com\r\n\r\n",
		"absolute, no path": "GET http://other.example?x=3 HTTP/1.1\r\nHost: example.com\r\n\r\n",
		"upper scheme":      "GET HTTP://Example.COM:8080/x HTTP/1.1\r\nHost: example.com\r\n\r\n",
		"asterisk":          "OPTIONS * HTTP/1.1\r\nHost: example.com\r\n\r\n",
		"extension":         "PROPFIND /dav/ HTTP/1.1\r\nHost: example.com\r\nDepth: 1\r\n\r\n",
		"query method":      "QUERY /search HTTP/1.1\r\nHost: example.com\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nselect 1;",
		"headers": get("/h", "accept: text/html\r\n", "Accept: application/json\r\n", "x-MIXED-case: 1\r\n",
			"X-Mixed-Case: 2\r\n", "Cookie: a=1; b=2\r\n", "User-Agent: x, y (z)\r\n", "Empty:\r\n"),
		"pragma":        get("/p", "Pragma: no-cache\r\n"),
		"pragma kept":   get("/p", "Pragma: no-cache\r\n", "Cache-Control: max-age=1\r\n"),
		"host port":     "GET / HTTP/1.1\r\nHost: example.com:8080\r\n\r\n",
		"close":         get("/c", "Connection: close\r\n"),
		"http/1.0":      "GET /ten HTTP/1.0\r\n\r\n",
		"http/1.0 ka":   "GET /ten HTTP/1.0\r\nHost: example.com\r\nConnection: keep-alive\r\n\r\n",
		"content":       "POST /form?x=q HTTP/1.1\r\nHost: example.com\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\nx=1&y=2",
		"empty content": "POST /e HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\n\r\n",
		"chunked": "POST /up HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum, x-count\r\n\r\n" +
			"5\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 42\r\nX-Count: 2\r\n\r\n",
		"big body": "PUT /big HTTP/1.1\r\nHost: example.com\r\nContent-Length: 40000\r\n\r\n" + strings.Repeat("0123456789", 4000),
	}
	for name, raw := range requests {
		t.Run(name, func(t *testing.T) {
			modes := bothModes
			if strings.Contains(name, "http/1.0") && !strings.Contains(name, "ka") {
				modes = bothModes // answered, then closed
			}
			compareWithNetHTTP(t, http.HandlerFunc(dumpRequest), modes, raw, strings.Fields(raw)[0], 1)
		})
	}
}

// The URL of an origin-form target, which the bridge builds from the
// parser's split instead of parsing it again, is url.ParseRequestURI's,
// field for field.
func TestBridgeURLIsParseRequestURIs(t *testing.T) {
	targets := []string{
		"/", "/a", "/a/", "/%41", "/a%2fb", "/a%2Fb/c%3F", "/%7e", "/caf%C3%A9", "/x?", "/x?a=1&b",
		"/x;p=1", "/x/./y/../z", "//a", "/a?b?c", "/%25", "/%2525", "/+%2B", "/a:b@c", "/a!$&'()*,=",
	}
	// Targets net/url takes but RFC 9112 does not, which the parser
	// refuses (400) where net/http passes them on.
	refused := []string{"/ä", "/x?%zz", "/x?a=\x7f"}
	urls := make(chan *url.URL, 1)
	b := NewBridge(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { urls <- r.URL }), Inline())
	ts := startServer(t, b.Serve)
	for _, target := range targets {
		rc := dial(t, ts.addr)
		rc.write("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n")
		resp := rc.response("GET")
		want, err := url.ParseRequestURI(target)
		if resp.StatusCode == 400 {
			if err == nil {
				t.Errorf("%q: the server refused what net/url takes", target)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: net/url refuses it: %v", target, err)
			continue
		}
		if got := <-urls; *got != *want {
			t.Errorf("%q:\n got %#v\nwant %#v", target, *got, *want)
		}
	}
	for _, target := range refused {
		rc := dial(t, ts.addr)
		rc.write("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n")
		if resp := rc.response("GET"); resp.StatusCode != 400 {
			t.Errorf("%q: %d, want 400", target, resp.StatusCode)
		}
	}
}

// canonicalKey is textproto.CanonicalMIMEHeaderKey.
func TestBridgeCanonicalKey(t *testing.T) {
	for _, k := range []string{"Host", "host", "HOST", "User-Agent", "user-agent", "uSER-aGENT", "X-Forwarded-For",
		"x-forwarded-for", "Content-MD5", "Www-Authenticate", "a", "A", "-", "--x", "X--Y", "x1-y2", "X_Y", "x_y",
		"Foo.Bar", "foo.bar", "Accept-Encoding", "ACCEPT-ENCODING", "bad name", "bäd", "", "Sec-Websocket-Key",
		"sec-websocket-key", "Dnt", "DNT", "X-Élan"} {
		if got, want := canonicalKey(k), textproto.CanonicalMIMEHeaderKey(k); got != want {
			t.Errorf("%q: %q, want %q", k, got, want)
		}
	}
}
