package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// BenchmarkServeCachedBoard is one keep-alive connection asking for the
// demo board again and again, against the demo server as `mingbai demo`
// runs it: the listener, the middleware, the access log and the page
// cache. The client is a bare socket, so the allocations reported are
// the server's; the time is a whole round trip on loopback.
func BenchmarkServeCachedBoard(b *testing.B) {
	for _, tc := range []struct{ name, header string }{
		{"plain", ""},
		{"gzip", "Accept-Encoding: gzip\r\n"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			addr := startBenchDemo(b)
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close()
			req := []byte("GET /c/suojin-4 HTTP/1.1\r\nHost: " + addr + "\r\nUser-Agent: bench\r\n" + tc.header + "\r\n")
			br := bufio.NewReaderSize(conn, 64<<10)
			roundTrip := func() int {
				if _, err := conn.Write(req); err != nil {
					b.Fatal(err)
				}
				return readAnswer(b, br)
			}
			roundTrip() // renders and stores the page
			size := roundTrip()
			b.SetBytes(int64(size))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				roundTrip()
			}
		})
	}
}

// readAnswer reads one HTTP/1.1 answer with a Content-Length and returns
// its body's size.
func readAnswer(b *testing.B, br *bufio.Reader) int {
	status, err := br.ReadSlice('\n')
	if err != nil {
		b.Fatal(err)
	}
	if !bytes.HasPrefix(status, []byte("HTTP/1.1 200 ")) {
		b.Fatalf("status %q", status)
	}
	size := -1
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			b.Fatal(err)
		}
		if len(line) == 2 {
			break
		}
		if k, v, ok := bytes.Cut(line, []byte(":")); ok && bytes.EqualFold(k, []byte("Content-Length")) {
			size = 0
			for _, c := range bytes.TrimSpace(v) {
				size = size*10 + int(c-'0')
			}
		}
	}
	if size < 0 {
		b.Fatal("answer without Content-Length")
	}
	if _, err := br.Discard(size); err != nil {
		b.Fatal(err)
	}
	return size
}

// startBenchDemo runs `mingbai demo` in this process on a free port and
// returns its address once it answers.
func startBenchDemo(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	env := &Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }}
	go func() { done <- runDemo(ctx, env, []string{"--addr", addr, "--data", b.TempDir()}) }()
	b.Cleanup(func() {
		cancel()
		<-done
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			return addr
		}
		select {
		case err := <-done:
			b.Fatalf("demo stopped: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			b.Fatal(fmt.Errorf("demo did not answer: %w", err))
		}
		time.Sleep(50 * time.Millisecond)
	}
}
