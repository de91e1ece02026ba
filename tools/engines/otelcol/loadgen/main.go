// Command otelcol-loadgen sends OTLP/gRPC traces, logs or metrics to a collector and prints what was
// accepted and refused as one JSON line. It is built from the same wrapper module, and so the same
// collector release (pdata and its OTLP gRPC clients), as the otelcol engine.
//
// Hand-rolled instead of telemetrygen because the module proxy serves telemetrygen only at v0.160.0
// and later, while the collector is pinned to v0.155.0 (the last line where resourcedetectionprocessor
// resolves); mixing lines in one module graph would break "every module at one release line". It also
// sends fixed OTLP JSON payloads (--payload), which the PII tests need and telemetrygen cannot.
package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/pmetric/pmetricotlp"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

var version = "dev"

type options struct {
	endpoint, signal, payload, service string
	requests, itemsPerRequest, workers int
	duration, timeout                  time.Duration
	attributeBytes                     int
}

type summary struct {
	Signal           string  `json:"signal"`
	Requests         int64   `json:"requests"`
	AcceptedRequests int64   `json:"acceptedRequests"`
	RefusedRequests  int64   `json:"refusedRequests"`
	AcceptedItems    int64   `json:"acceptedItems"`
	RefusedItems     int64   `json:"refusedItems"`
	Seconds          float64 `json:"seconds"`
	ItemsPerSecond   float64 `json:"itemsPerSecond"`
	FirstError       string  `json:"firstError,omitempty"`
}

func main() {
	var o options
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.StringVar(&o.endpoint, "endpoint", "127.0.0.1:4317", "OTLP/gRPC endpoint (host:port)")
	flag.StringVar(&o.signal, "signal", "traces", "traces | logs | metrics")
	flag.StringVar(&o.payload, "payload", "", "OTLP JSON request to send (instead of generated items)")
	flag.StringVar(&o.service, "service", "loadgen", "service.name of generated items")
	flag.IntVar(&o.requests, "requests", 1, "requests to send (0 = until --duration ends)")
	flag.IntVar(&o.itemsPerRequest, "items", 100, "generated spans/log records/data points per request")
	flag.IntVar(&o.workers, "workers", 1, "concurrent senders")
	flag.IntVar(&o.attributeBytes, "attribute-bytes", 0, "size of a filler attribute on every generated item")
	flag.DurationVar(&o.duration, "duration", 0, "stop after this long (0 = after --requests)")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Second, "per-request timeout")
	flag.Parse()
	if *showVersion {
		fmt.Printf("otelcol-loadgen version %s\n", version)
		return
	}
	out, err := run(o)
	if err != nil {
		fmt.Fprintf(os.Stderr, "otelcol-loadgen: %v\n", err)
		os.Exit(2)
	}
	line, _ := json.Marshal(out)
	fmt.Println(string(line))
}

// sender sends one request and returns how many items it carried.
type sender func(ctx context.Context) (int, error)

func run(o options) (summary, error) {
	conn, err := grpc.NewClient(o.endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return summary{}, err
	}
	defer conn.Close()
	send, err := newSender(conn, o)
	if err != nil {
		return summary{}, err
	}
	s := summary{Signal: o.signal}
	var next atomic.Int64
	var firstError sync.Once
	deadline := time.Time{}
	if o.duration > 0 {
		deadline = time.Now().Add(o.duration)
	}
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < o.workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if n := next.Add(1); o.requests > 0 && n > int64(o.requests) {
					return
				}
				if !deadline.IsZero() && time.Now().After(deadline) {
					return
				}
				ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
				items, err := send(ctx)
				cancel()
				atomic.AddInt64(&s.Requests, 1)
				if err != nil {
					atomic.AddInt64(&s.RefusedRequests, 1)
					atomic.AddInt64(&s.RefusedItems, int64(items))
					firstError.Do(func() { s.FirstError = err.Error() })
					continue
				}
				atomic.AddInt64(&s.AcceptedRequests, 1)
				atomic.AddInt64(&s.AcceptedItems, int64(items))
			}
		}()
	}
	wg.Wait()
	s.Seconds = time.Since(start).Seconds()
	if s.Seconds > 0 {
		s.ItemsPerSecond = float64(s.AcceptedItems) / s.Seconds
	}
	return s, nil
}

func newSender(conn *grpc.ClientConn, o options) (sender, error) {
	var raw []byte
	if o.payload != "" {
		var err error
		if raw, err = os.ReadFile(o.payload); err != nil {
			return nil, err
		}
	}
	switch o.signal {
	case "traces":
		client := ptraceotlp.NewGRPCClient(conn)
		return func(ctx context.Context) (int, error) {
			td, err := traces(raw, o)
			if err != nil {
				return 0, err
			}
			_, err = client.Export(ctx, ptraceotlp.NewExportRequestFromTraces(td))
			return td.SpanCount(), err
		}, nil
	case "logs":
		client := plogotlp.NewGRPCClient(conn)
		return func(ctx context.Context) (int, error) {
			ld, err := logs(raw, o)
			if err != nil {
				return 0, err
			}
			_, err = client.Export(ctx, plogotlp.NewExportRequestFromLogs(ld))
			return ld.LogRecordCount(), err
		}, nil
	case "metrics":
		client := pmetricotlp.NewGRPCClient(conn)
		return func(ctx context.Context) (int, error) {
			md, err := metrics(raw, o)
			if err != nil {
				return 0, err
			}
			_, err = client.Export(ctx, pmetricotlp.NewExportRequestFromMetrics(md))
			return md.DataPointCount(), err
		}, nil
	}
	return nil, fmt.Errorf("unknown --signal %q (traces, logs or metrics)", o.signal)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func filler(o options) string { return strings.Repeat("x", o.attributeBytes) }

func traces(raw []byte, o options) (ptrace.Traces, error) {
	if raw != nil {
		return (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(raw)
	}
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", o.service)
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	now := time.Now()
	for i := 0; i < o.itemsPerRequest; i++ {
		span := spans.AppendEmpty()
		span.SetTraceID(pcommon.TraceID(randomBytes(16)))
		span.SetSpanID(pcommon.SpanID(randomBytes(8)))
		span.SetName("GET /checkout")
		span.SetKind(ptrace.SpanKindServer)
		span.SetStartTimestamp(pcommon.NewTimestampFromTime(now))
		span.SetEndTimestamp(pcommon.NewTimestampFromTime(now.Add(time.Millisecond)))
		span.Attributes().PutStr("http.request.method", "GET")
		span.Attributes().PutStr("url.path", "/checkout")
		if o.attributeBytes > 0 {
			span.Attributes().PutStr("filler", filler(o))
		}
	}
	return td, nil
}

func logs(raw []byte, o options) (plog.Logs, error) {
	if raw != nil {
		return (&plog.JSONUnmarshaler{}).UnmarshalLogs(raw)
	}
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", o.service)
	records := rl.ScopeLogs().AppendEmpty().LogRecords()
	for i := 0; i < o.itemsPerRequest; i++ {
		record := records.AppendEmpty()
		record.SetTimestamp(pcommon.NewTimestampFromTime(time.Now()))
		record.SetTraceID(pcommon.TraceID(randomBytes(16)))
		record.Body().SetStr("checkout completed")
		if o.attributeBytes > 0 {
			record.Attributes().PutStr("filler", filler(o))
		}
	}
	return ld, nil
}

func metrics(raw []byte, o options) (pmetric.Metrics, error) {
	if raw != nil {
		return (&pmetric.JSONUnmarshaler{}).UnmarshalMetrics(raw)
	}
	md := pmetric.NewMetrics()
	rm := md.ResourceMetrics().AppendEmpty()
	rm.Resource().Attributes().PutStr("service.name", o.service)
	metric := rm.ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	metric.SetName("checkout_requests")
	points := metric.SetEmptySum().DataPoints()
	for i := 0; i < o.itemsPerRequest; i++ {
		point := points.AppendEmpty()
		point.SetTimestamp(pcommon.NewTimestampFromTime(time.Now()))
		point.SetIntValue(int64(i))
		point.Attributes().PutInt("series", int64(i))
	}
	return md, nil
}
