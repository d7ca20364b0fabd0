//go:build bench

package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bedstate/bedstate/backend/app"
	"github.com/bedstate/bedstate/backend/config"
	"github.com/bedstate/bedstate/backend/demo"
	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/storage"
	"github.com/gofiber/fiber/v2"
)

const (
	searchQueries = 400 // distinct queries, a quarter of each kind
	clients       = 4   // concurrent HTTP clients for throughput
	warmupRun     = time.Second
	latencyRun    = 4 * time.Second
	throughputRun = 5 * time.Second
)

var queryKinds = []string{"care type + client group", "within 25 km of a point", "local authority", "minimum rating"}

// query is one vacancy search's query string and its kind.
type query struct {
	kind int
	raw  string
}

// makeQueries builds a realistic, repeatable mix: searches by care type and
// client group, near a home's location within 25 km, by local authority,
// and by minimum CQC rating.
func makeQueries(ds demo.Dataset, n int) []query {
	r := rand.New(rand.NewPCG(3, 4))
	ct := func() string { return string(domain.CareTypes[r.IntN(len(domain.CareTypes))]) }
	cg := func() string { return string(domain.ClientGroups[r.IntN(len(domain.ClientGroups))]) }
	out := make([]query, n)
	for i := range out {
		v := url.Values{}
		k := i % len(queryKinds)
		switch k {
		case 0:
			v.Set("care_type", ct())
			v.Set("client_group", cg())
		case 1:
			h := ds.Homes[r.IntN(len(ds.Homes))].Home
			v.Set("lat", strconv.FormatFloat(h.Latitude+(r.Float64()-0.5)*0.1, 'f', 4, 64))
			v.Set("lon", strconv.FormatFloat(h.Longitude+(r.Float64()-0.5)*0.1, 'f', 4, 64))
			v.Set("radius_km", "25")
			if r.IntN(2) == 0 {
				v.Set("care_type", ct())
			}
		case 2:
			v.Set("local_authority", ds.Homes[r.IntN(len(ds.Homes))].Home.LocalAuthority)
			if r.IntN(2) == 0 {
				v.Set("client_group", cg())
			}
		case 3:
			v.Set("min_rating", []string{"good", "good", "outstanding"}[r.IntN(3)])
			v.Set("client_group", cg())
		}
		out[i] = query{kind: k, raw: v.Encode()}
	}
	return out
}

// benchSearch measures vacancy search through real HTTP into the fiber app
// built as app.Build builds it, against the SQL-per-request baseline, and
// then revalidations answered 304.
func benchSearch(t *testing.T, st *storage.Store, qs []query) {
	d := string(st.Dialect())
	ctx := context.Background()
	cfg, err := config.Load()
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = t.TempDir()
	svc, err := app.Build(ctx, cfg, st)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	srv, index := svc.Server, svc.Index
	token, _, err := srv.Issuer().Sign("user:1", domain.RoleCoordinator, 0)
	if err != nil {
		t.Fatal(err)
	}
	bl, err := newBaseline(st, srv.Issuer(), index.Thresholds())
	if err != nil {
		t.Fatal(err)
	}
	apiURL := serve(t, srv.App()) + "/api/v1/vacancies?"
	baseURL := serve(t, bl.app()) + "/vacancies?"
	c := &client{http: &http.Client{Timeout: 30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}, token: token}

	fmt.Printf("\n-- %s: vacancy search over HTTP, %d distinct queries (%d homes in the index)\n", d, len(qs), index.Len())
	before, err := c.compare(apiURL, baseURL, qs)
	if err != nil {
		t.Errorf("the baseline does not answer as the API does, so its figures compare nothing: %v", err)
	}

	c.load(apiURL, qs, nil, clients, warmupRun)
	idx1 := c.load(apiURL, qs, nil, 1, latencyRun)
	idxN := c.load(apiURL, qs, nil, clients, throughputRun)
	c.load(baseURL, qs, nil, 1, warmupRun)
	base1 := c.load(baseURL, qs, nil, 1, latencyRun)
	baseN := c.load(baseURL, qs, nil, clients, throughputRun)
	for _, x := range []struct {
		name string
		r    loadResult
	}{{"index    1 client ", idx1}, {fmt.Sprintf("index    %d clients", clients), idxN},
		{"baseline 1 client ", base1}, {fmt.Sprintf("baseline %d clients", clients), baseN}} {
		fmt.Printf("   %s: %s  %s\n", x.name, x.r.sample, x.r.statusText())
		if x.r.errors > 0 {
			t.Errorf("%s: %d requests failed: %s", x.name, x.r.errors, x.r.statusText())
		}
	}
	fmt.Printf("   p99 by kind, 1 client  %-26s %-10s %s\n", "", "index", "baseline")
	for k, name := range queryKinds {
		fmt.Printf("     %-46s %-10s %s\n", name, ms(idx1.byKind[k].pct(99)), ms(base1.byKind[k].pct(99)))
	}
	fmt.Printf("   average answer %d bytes\n", idxN.bytes/max(1, int64(len(idxN.lat))))
	ratio := idxN.rate() / baseN.rate()
	record(d, "2 search p50 / p99, 1 client", fmt.Sprintf("p50 %s p99 %s", ms(idx1.pct(50)), ms(idx1.pct(99))), "p99 < 10ms",
		check(idx1.pct(99) < 10*time.Millisecond))
	record(d, fmt.Sprintf("2 search p50 / p99, %d clients", clients), fmt.Sprintf("p50 %s p99 %s", ms(idxN.pct(50)), ms(idxN.pct(99))), "p99 < 10ms",
		check(idxN.pct(99) < 10*time.Millisecond))
	record(d, fmt.Sprintf("2 search throughput, %d clients", clients), fmt.Sprintf("%.0f req/s", idxN.rate()), "-", nil)
	record(d, "2 SQL baseline p50 / p99, 1 client", fmt.Sprintf("p50 %s p99 %s", ms(base1.pct(50)), ms(base1.pct(99))), "-", nil)
	record(d, fmt.Sprintf("2 SQL baseline throughput, %d clients", clients), fmt.Sprintf("%.0f req/s", baseN.rate()), "-", nil)
	record(d, "2 throughput index / SQL baseline", fmt.Sprintf("%.1fx", ratio), ">= 10x", check(ratio >= 10))

	// Revalidation: the same queries with the ETag of their last answer.
	tags := c.etags(apiURL, qs)
	full := c.load(apiURL, qs, nil, clients, throughputRun)
	rev := c.load(apiURL, qs, tags, clients, throughputRun)
	fmt.Printf("\n-- %s: revalidation, %d clients\n", d, clients)
	fmt.Printf("   full answers   : %s  %s\n", full.sample, full.statusText())
	fmt.Printf("   If-None-Match  : %s  %s\n", rev.sample, rev.statusText())
	if rev.errors > 0 || full.errors > 0 {
		t.Errorf("revalidation: requests failed: %s / %s", full.statusText(), rev.statusText())
	}
	cheaper := rev.rate() / full.rate()
	record(d, "3 304 revalidations", fmt.Sprintf("%.0f req/s (%d%% 304)", rev.rate(), 100*rev.status[304]/max(1, len(rev.lat))), "-", nil)
	record(d, "3 full 200 answers", fmt.Sprintf("%.0f req/s", full.rate()), "-", nil)
	record(d, "3 304 / 200 throughput", fmt.Sprintf("%.1fx", cheaper), ">= 3x", check(cheaper >= 3))

	// The ETag is a hash of the answer: after one bed update at one home,
	// only the pollers whose answer holds that home should get a full answer.
	tags = c.etags(apiURL, qs)
	cur, err := st.GetBeds(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AdjustBed(ctx, storage.Actor{Subject: "user:1", Source: "app"}, 1,
		cur.Categories[0].CategoryKey, moveFor(cur.Categories[0]), time.Now()); err != nil {
		t.Fatalf("adjust: %v", err)
	}
	srv.Reload(ctx, 1) // as the beds handler does after a write
	after, still304 := c.revalidateOnce(apiURL, qs, tags)
	same := 0
	for i := range qs {
		if after[i] == 0 || after[i] == before[i] {
			same++
		}
	}
	record(d, "3 304s after 1 bed update at 1 home", fmt.Sprintf("%d of %d (%d unchanged)", still304, len(qs), same), "-", nil)
}

// serve runs app on a local port until the test ends and returns its URL.
func serve(t *testing.T, a *fiber.App) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go a.Listener(ln)
	t.Cleanup(func() { a.ShutdownWithTimeout(5 * time.Second) })
	return "http://" + ln.Addr().String()
}

type client struct {
	http  *http.Client
	token string
}

type loadResult struct {
	sample
	byKind []sample
	status map[int]int
	bytes  int64
}

func (r loadResult) statusText() string {
	s := ""
	for _, code := range []int{200, 304} {
		if r.status[code] > 0 {
			s += fmt.Sprintf(" %d:%d", code, r.status[code])
		}
	}
	for code, n := range r.status {
		if code != 200 && code != 304 {
			s += fmt.Sprintf(" %d:%d", code, n)
		}
	}
	return "status" + s
}

// get sends one search and reads the whole answer.
func (c *client) get(u, etag string) (status int, body []byte, tag string, err error) {
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		return 0, nil, "", err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, "", err
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(resp.Body)
	return resp.StatusCode, body, resp.Header.Get("ETag"), err
}

// load sends the queries round-robin from conc clients for d. With tags,
// each request revalidates its query's last ETag, and a full answer
// replaces it, as a polling client does.
func (c *client) load(base string, qs []query, tags []atomic.Pointer[string], conc int, d time.Duration) loadResult {
	res := loadResult{byKind: make([]sample, len(queryKinds)), status: map[int]int{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	deadline := time.Now().Add(d)
	start := time.Now()
	for w := range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := loadResult{byKind: make([]sample, len(queryKinds)), status: map[int]int{}}
			for i := w * len(qs) / conc; time.Now().Before(deadline); i = (i + 1) % len(qs) {
				q := qs[i]
				etag := ""
				if tags != nil {
					if p := tags[i].Load(); p != nil {
						etag = *p
					}
				}
				t0 := time.Now()
				status, body, tag, err := c.get(base+q.raw, etag)
				took := time.Since(t0)
				if err != nil || (status != 200 && status != 304) {
					mine.errors++
					mine.status[status]++
					continue
				}
				if tags != nil && status == 200 {
					tags[i].Store(&tag)
				}
				mine.lat = append(mine.lat, took)
				mine.byKind[q.kind].lat = append(mine.byKind[q.kind].lat, took)
				mine.status[status]++
				mine.bytes += int64(len(body))
			}
			mu.Lock()
			res.lat = append(res.lat, mine.lat...)
			for k := range res.byKind {
				res.byKind[k].lat = append(res.byKind[k].lat, mine.byKind[k].lat...)
			}
			for code, n := range mine.status {
				res.status[code] += n
			}
			res.errors += mine.errors
			res.bytes += mine.bytes
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

// etags fetches each query's current ETag.
func (c *client) etags(base string, qs []query) []atomic.Pointer[string] {
	tags := make([]atomic.Pointer[string], len(qs))
	for i, q := range qs {
		if _, _, tag, err := c.get(base+q.raw, ""); err == nil && tag != "" {
			tags[i].Store(&tag)
		}
	}
	return tags
}

// revalidateOnce revalidates every query once and returns, per query, a hash
// of the result when it was sent in full (0 for a 304), and the count of 304s.
func (c *client) revalidateOnce(base string, qs []query, tags []atomic.Pointer[string]) ([]uint64, int) {
	out := make([]uint64, len(qs))
	n := 0
	for i, q := range qs {
		etag := ""
		if p := tags[i].Load(); p != nil {
			etag = *p
		}
		status, body, _, err := c.get(base+q.raw, etag)
		if err == nil && status == 304 {
			n++
			continue
		}
		out[i] = resultHash(body)
	}
	return out, n
}

// answer is the part of a vacancy page both implementations must agree on.
type answer struct {
	Total     int `json:"total"`
	Vacancies []struct {
		ID         int64    `json:"id"`
		DistanceKm *float64 `json:"distance_km"`
		Status     string   `json:"status"`
		Categories []struct {
			CareType    string `json:"care_type"`
			ClientGroup string `json:"client_group"`
			Available   int    `json:"available"`
		} `json:"categories"`
	} `json:"vacancies"`
}

// resultHash fingerprints an answer's results, leaving out the per-request
// parts (freshness bands move with the clock).
func resultHash(body []byte) uint64 {
	var a answer
	if json.Unmarshal(body, &a) != nil {
		return 1
	}
	h := fnv.New64a()
	b, _ := json.Marshal(a)
	h.Write(b)
	return h.Sum64()
}

// compare checks that the baseline finds what the API finds for every query
// and returns each answer's fingerprint.
func (c *client) compare(apiURL, baseURL string, qs []query) ([]uint64, error) {
	out := make([]uint64, len(qs))
	var first error
	bad, results := 0, 0
	for i, q := range qs {
		s1, b1, _, err1 := c.get(apiURL+q.raw, "")
		s2, b2, _, err2 := c.get(baseURL+q.raw, "")
		if err1 != nil || err2 != nil || s1 != 200 || s2 != 200 {
			return nil, fmt.Errorf("%s: api %d %v, baseline %d %v: %s", q.raw, s1, err1, s2, err2, b1)
		}
		out[i] = resultHash(b1)
		var a1, a2 answer
		json.Unmarshal(b1, &a1)
		json.Unmarshal(b2, &a2)
		results += a1.Total
		if out[i] != resultHash(b2) {
			bad++
			if first == nil {
				first = fmt.Errorf("%s: api total %d, baseline total %d", q.raw, a1.Total, a2.Total)
			}
		}
	}
	fmt.Printf("   baseline agrees with the API on %d of %d queries (%.0f matching homes per query on average)\n",
		len(qs)-bad, len(qs), float64(results)/float64(len(qs)))
	if bad > 0 {
		return out, fmt.Errorf("%d of %d queries differ; first: %w", bad, len(qs), first)
	}
	return out, nil
}
