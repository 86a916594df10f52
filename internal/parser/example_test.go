package parser_test

import (
	"fmt"

	"asynchttpserver.dev/internal/parser"
)

// A connection feeds Parse the bytes of the current request received so far;
// here the head arrives in two reads.
func ExampleParser_Parse() {
	p := parser.New(parser.Limits{})
	var req parser.Head
	buf := []byte("GET /hello?name=nim HTTP/1.1\r\nHo")
	n, err := p.Parse(buf, &req)
	fmt.Println(n, err) // not complete yet

	buf = append(buf, "st: example.com\r\nConnection: close\r\n\r\n"...)
	n, err = p.Parse(buf, &req)
	fmt.Println(n, err)
	fmt.Printf("%s %s %q %q host=%s close=%t\n", req.Method, req.Path.Bytes(buf), req.Query.Bytes(buf),
		req.Version.Bytes(buf), req.Host.Bytes(buf), req.Close)
	// Output:
	// 0 <nil>
	// 70 <nil>
	// GET /hello "name=nim" "HTTP/1.1" host=example.com close=true
}

// A rejected request carries the status to answer; the connection then closes.
func ExampleError() {
	p := parser.New(parser.Limits{})
	var req parser.Head
	_, err := p.Parse([]byte("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"), &req)
	if e, ok := err.(*parser.Error); ok {
		fmt.Println(e.Status, e.Reason)
	}
	// Output: 400 both Content-Length and Transfer-Encoding
}

// Pipelined requests are parsed one after another from buf[n:].
func ExampleParser_Parse_pipeline() {
	buf := []byte("GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n")
	p := parser.New(parser.Limits{})
	var req parser.Head
	for off := 0; off < len(buf); {
		n, err := p.Parse(buf[off:], &req)
		if err != nil || n == 0 {
			break
		}
		fmt.Printf("%s\n", req.Path.Bytes(buf[off:]))
		off += n
	}
	// Output:
	// /a
	// /b
}

// The chunked decoder moves the data down in the same buffer.
func ExampleChunkedDecoder_Decode() {
	var d parser.ChunkedDecoder
	d.Init(1 << 20)
	buf := []byte("5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nTrailer: x\r\n\r\nNEXT")
	consumed, done, err := d.Decode(buf)
	fmt.Println(consumed, done, err)
	fmt.Printf("%s | %s\n", buf[:d.Len()], buf[consumed:])
	// Output:
	// 45 true <nil>
	// hello, world | NEXT
}

// Lookup finds a header field case-insensitively without allocating.
func ExampleHead_Lookup() {
	buf := []byte("GET / HTTP/1.1\r\nHost: h\r\nAccept-Language: en\r\n\r\n")
	var req parser.Head
	parser.New(parser.Limits{}).Parse(buf, &req)
	if v, ok := req.Lookup(buf, "accept-language"); ok {
		fmt.Printf("%s\n", v.Bytes(buf))
	}
	// Output: en
}
