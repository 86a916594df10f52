package parser

// Sample requests shared by the split tests, the benchmarks and the fuzz
// seed corpora.

// wrkRequest is the request wrk sends by default.
const wrkRequest = "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n"

// browserRequest is a typical ~500-byte browser GET with ten header fields.
const browserRequest = "GET /articles/2024/asynchttpserver-for-go?page=2&sort=new HTTP/1.1\r\n" +
	"Host: www.example.com\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n" +
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n" +
	"Accept-Language: en-US,en;q=0.5\r\n" +
	"Accept-Encoding: gzip, deflate, br, zstd\r\n" +
	"Referer: https://www.example.com/articles/2024/\r\n" +
	"Connection: keep-alive\r\n" +
	"Cookie: session=4f2b9c1e7d3a8b6f; theme=dark; lang=en\r\n" +
	"Upgrade-Insecure-Requests: 1\r\n" +
	"Priority: u=0, i\r\n" +
	"\r\n"

var samples = []string{
	wrkRequest,
	browserRequest,
	"POST /submit HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello",
	"POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
	"GET http://example.com:81/p?q=1 HTTP/1.1\r\nHost: example.com:81\r\n\r\n",
	"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nProxy-Connection: keep-alive\r\n\r\n",
	"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
	"GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
	"\r\n\nGET /after-empty-lines HTTP/1.1\r\nHost: h\r\n\r\n",
	"GET /lf HTTP/1.1\nHost: h\nX-Empty:\nX-Pad: \t v \t\n\n",
	"GET /ws HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n",
	"DELETE /%7Euser/a%20b?x=%2F HTTP/1.1\r\nHost: [::1]:8080\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
	"PROPFIND /dav HTTP/1.1\r\nHost: h\r\nDepth: 1\r\nX-Obs: caf\xc3\xa9\r\n\r\n",
}

// badSamples are rejected; the split tests check they are rejected alike
// however they arrive.
var badSamples = []string{
	"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n",
	"GET /a#frag HTTP/1.1\r\nHost: h\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n",
	"GET / HTTP/2.0\r\nHost: h\r\n\r\n",
	"GET /%zz HTTP/1.1\r\nHost: h\r\n\r\n",
	"GET / HTTP/1.1\r\n\r\n",
}
