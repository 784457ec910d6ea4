// A gRPC load for a Rate Limit Service, as Envoy makes it: ShouldRateLimit with one descriptor
// (key = one of -values) in domain "bench", -inflight calls always outstanding on one HTTP/2
// connection (grpc-go multiplexes one ClientConn, as Envoy's gRPC client does), for -seconds after
// -warm seconds unmeasured. Prints decisions/s, p50 and p99 over every measured call.
//
// Built by run.sh inside envoyproxy/ratelimit's vendored source tree (shared/peers/envoy-ratelimit),
// whose go-control-plane and grpc-go it uses: no network needed.
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	pb_struct "github.com/envoyproxy/go-control-plane/envoy/extensions/common/ratelimit/v3"
	pb "github.com/envoyproxy/go-control-plane/envoy/service/ratelimit/v3"
	"google.golang.org/grpc"
)

func main() {
	target := flag.String("target", "127.0.0.1:8081", "host:port")
	seconds := flag.Int("seconds", 10, "measured seconds")
	warm := flag.Int("warm", 5, "unmeasured seconds first")
	inflight := flag.Int("inflight", 64, "calls outstanding")
	values := flag.Int("values", 100000, "distinct descriptor values")
	flag.Parse()
	conn, err := grpc.Dial(*target, grpc.WithInsecure())
	if err != nil {
		panic(err)
	}
	client := pb.NewRateLimitServiceClient(conn)
	run(client, *warm, *inflight, *values)
	lat, failed, over, elapsed := run(client, *seconds, *inflight, *values)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	n := len(lat)
	fmt.Printf("%.0f decisions/s, p50 %.2f ms, p99 %.2f ms, %d failed, %d over limit\n",
		float64(n)/elapsed.Seconds(), float64(lat[n/2])/1e6, float64(lat[n*99/100])/1e6, failed, over)
}

func run(client pb.RateLimitServiceClient, seconds, inflight, values int) ([]int64, int64, int64, time.Duration) {
	start := time.Now()
	end := start.Add(time.Duration(seconds) * time.Second)
	var failed, over int64
	all := make([][]int64, inflight)
	var wg sync.WaitGroup
	for g := 0; g < inflight; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			r := rand.New(rand.NewSource(int64(g) + time.Now().UnixNano()))
			for {
				sent := time.Now()
				if sent.After(end) {
					return
				}
				req := &pb.RateLimitRequest{Domain: "bench", Descriptors: []*pb_struct.RateLimitDescriptor{{
					Entries: []*pb_struct.RateLimitDescriptor_Entry{{Key: "key", Value: strconv.Itoa(r.Intn(values))}}}}}
				resp, err := client.ShouldRateLimit(context.Background(), req)
				all[g] = append(all[g], time.Since(sent).Nanoseconds())
				if err != nil {
					atomic.AddInt64(&failed, 1)
				} else if resp.OverallCode == pb.RateLimitResponse_OVER_LIMIT {
					atomic.AddInt64(&over, 1)
				}
			}
		}(g)
	}
	wg.Wait()
	var lat []int64
	for _, l := range all {
		lat = append(lat, l...)
	}
	return lat, failed, over, time.Since(start)
}
