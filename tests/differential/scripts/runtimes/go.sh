# reference: proot
# The Go toolchain: go build of a program (the compiler and linker run as many goroutines on
# many threads) and the program: goroutines and channels, a mutex under contention, a timer,
# SIGURG preemption of a busy loop, os/exec and a local HTTP round trip (netpoller: epoll).
mkdir -p hello && cd hello
cat > go.mod <<'EOF'
module example.org/hello
go 1.24
EOF
cat > main.go <<'EOF'
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"runtime"
	"sync"
	"time"
)

func main() {
	c := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for i := 1; i <= 8; i++ {
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			for j := 0; j < 10000; j++ {
				mu.Lock()
				total += n
				mu.Unlock()
			}
		}(i)
	}
	wg.Wait()
	fmt.Println("goroutines total", total)
	go func() { time.Sleep(20 * time.Millisecond); c <- 42 }()
	fmt.Println("channel", <-c)
	done := make(chan bool)
	go func() { x := 0; for i := 0; i < 300000000; i++ { x += i }; done <- x > 0 }()
	runtime.Gosched()
	fmt.Println("preempted busy loop finished", <-done)
	out, err := exec.Command("sh", "-c", "echo from sh").Output()
	fmt.Printf("exec %q %v\n", out, err)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "hello "+r.URL.Path) }))
	resp, err := http.Get("http://" + ln.Addr().String() + "/go")
	if err != nil { fmt.Println(err); return }
	body, _ := io.ReadAll(resp.Body)
	fmt.Println("http", resp.StatusCode, string(body))
}
EOF
export HOME=$PWD GOCACHE=$PWD/.cache GOPATH=$PWD/.gopath GOFLAGS=-mod=mod GOTOOLCHAIN=local GOPROXY=off CGO_ENABLED=0
go build -o hello . && echo built && ./hello
go vet . && echo vet ok
