package main

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"asynchttpserver.dev/internal/parser"
)

// target is where the load goes: the address to dial, resolved once
// before the run (a name lookup per connection would distort churn
// figures), and what goes in the request line and Host header.
type target struct {
	ip         netip.Addr
	port       int
	host       string // the Host header: the URL's host[:port]
	requestURI string // path?query, escaped as in the URL
}

// parseTarget parses an http:// URL and resolves its host.
func parseTarget(raw string) (target, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return target{}, fmt.Errorf("bad URL: %w", err)
	}
	if u.Scheme != "http" {
		return target{}, fmt.Errorf("bad URL %q: only http:// is supported", raw)
	}
	if u.Host == "" || u.Hostname() == "" {
		return target{}, fmt.Errorf("bad URL %q: no host", raw)
	}
	if u.User != nil {
		return target{}, fmt.Errorf("bad URL %q: user information is not supported; pass -H 'Authorization: ...'", raw)
	}
	port := 80
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil || port < 1 || port > 65535 {
			return target{}, fmt.Errorf("bad URL %q: bad port %q", raw, p)
		}
	}
	ip, err := resolve(u.Hostname())
	if err != nil {
		return target{}, err
	}
	return target{ip: ip, port: port, host: u.Host, requestURI: u.RequestURI()}, nil
}

// resolve turns a host name or literal into one address, preferring IPv4
// as servers under benchmark usually listen there.
func resolve(host string) (netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip.Unmap(), nil
	}
	ips, err := net.DefaultResolver.LookupNetIP(context.Background(), "ip", host)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("resolve %q: %w", host, err)
	}
	for _, ip := range ips {
		if ip.Unmap().Is4() {
			return ip.Unmap(), nil
		}
	}
	return ips[0], nil
}

// header is one extra request header from -H.
type header struct{ name, value string }

// parseHeader splits a -H argument, "Name: value".
func parseHeader(s string) (header, error) {
	name, value, ok := strings.Cut(s, ":")
	if !ok || name == "" {
		return header{}, fmt.Errorf("bad header %q: want \"Name: value\"", s)
	}
	for i := 0; i < len(name); i++ {
		if !parser.IsTokenChar(name[i]) {
			return header{}, fmt.Errorf("bad header %q: invalid character %q in name", s, name[i])
		}
	}
	value = strings.Trim(value, " \t")
	if !parser.ValidFieldValue(value) {
		return header{}, fmt.Errorf("bad header %q: control character in value", s)
	}
	switch strings.ToLower(name) {
	case "content-length", "transfer-encoding":
		return header{}, fmt.Errorf("bad header %q: httpbench frames the body itself (-body)", s)
	}
	return header{name, value}, nil
}
