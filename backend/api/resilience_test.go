package api_test

import (
	"context"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/bedstate/bedstate/backend/domain"
	"github.com/bedstate/bedstate/backend/storage"
	"github.com/bedstate/bedstate/backend/storage/storagetest"
)

// proxy stands between the app and PostgreSQL so a test can cut the
// database off and bring it back.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	t.Cleanup(func() { ln.Close(); p.setDown(true) })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			if p.down {
				p.mu.Unlock()
				c.Close()
				continue
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				p.mu.Unlock()
				c.Close()
				continue
			}
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
	return p
}

func (p *proxy) setDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	if down {
		for _, c := range p.conns {
			c.Close()
		}
		p.conns = nil
	}
}

func TestUnavailable_DatabaseDownGives503AndRecovers(t *testing.T) {
	dbURL := storagetest.NewDatabase(t)
	u, _ := url.Parse(dbURL)
	p := newProxy(t, u.Host)
	u.Host = p.ln.Addr().String()
	st, err := storage.Open(storage.Options{DatabaseURL: u.String(), MaxOpenConns: 4, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(bg); err != nil {
		t.Fatal(err)
	}
	ts := serverOver(t, st, nil)
	_, coord := ts.user(domain.RoleCoordinator, 0)
	if r := ts.call("GET", "/api/v1/homes", coord, nil); r.Status != 200 {
		t.Fatalf("before: %d", r.Status)
	}
	p.setDown(true)
	r := ts.call("GET", "/api/v1/homes", coord, nil)
	if r.Status != 503 || r.Header.Get("Retry-After") == "" || r.problemCode(t) != "unavailable" {
		t.Fatalf("database down: want 503 with Retry-After, got %d %s", r.Status, r.Body)
	}
	if r := ts.call("GET", "/readyz", "", nil); r.Status != 503 {
		t.Fatalf("readyz with the database down: want 503, got %d", r.Status)
	}
	if r := ts.call("GET", "/healthz", "", nil); r.Status != 200 {
		t.Fatalf("healthz only says the process lives: %d", r.Status)
	}
	p.setDown(false)
	waitFor(t, "the API to recover", func() bool { return ts.call("GET", "/api/v1/homes", coord, nil).Status == 200 })
	if r := ts.call("GET", "/readyz", "", nil); r.Status != 200 {
		t.Fatalf("readyz after recovery: %d", r.Status)
	}
}

// Two instances on one PostgreSQL: a bed freed through one shows in the
// other's vacancy search, by LISTEN/NOTIFY, without a restart.
func TestInstances_AWriteOnOneShowsOnTheOther(t *testing.T) {
	dbURL := storagetest.NewDatabase(t)
	open := func() *storage.Store {
		st, err := storage.Open(storage.Options{DatabaseURL: dbURL, MaxOpenConns: 4})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if err := st.Migrate(bg); err != nil {
			t.Fatal(err)
		}
		return st
	}
	a := serverOver(t, open(), nil)
	b := serverOver(t, open(), a.key)
	ctx, cancel := context.WithCancel(bg)
	t.Cleanup(cancel)
	go b.store.Listen(ctx, func(id int64) { b.srv.Reload(ctx, id) })

	h := a.home("Staffordshire", 52.8, -2.1, time.Now().Add(-time.Hour), category(domain.Nursing, domain.Dementia, 10, 0))
	_, mgr := a.user(domain.RoleManager, 0, h.ID)
	_, coord := a.user(domain.RoleCoordinator, 0)
	time.Sleep(200 * time.Millisecond) // let the listener subscribe
	search := func() vacancyAnswer {
		var v vacancyAnswer
		b.call("GET", "/api/v1/vacancies?client_group=dementia", coord, nil).json(t, &v)
		return v
	}
	tap := map[string]any{"care_type": "nursing", "client_group": "dementia", "from": "occupied", "to": "available"}
	if r := a.call("POST", "/api/v1/homes/"+itoa(h.ID)+"/beds/adjust", mgr, tap); r.Status != 200 {
		t.Fatalf("tap: %d %s", r.Status, r.Body)
	}
	waitFor(t, "instance b to see the freed bed", func() bool { return has(search().ids(), h.ID) })
}

// With every pooled connection busy, a request waits at most the store's
// timeout and then answers 503 with Retry-After, not a 500 or a hang.
func TestUnavailable_ExhaustedPoolGives503(t *testing.T) {
	for _, d := range storagetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			o := storage.Options{MaxOpenConns: 1, Timeout: 300 * time.Millisecond}
			if d == storage.Postgres {
				o.DatabaseURL = storagetest.NewDatabase(t)
			} else {
				o.DataDir = t.TempDir()
			}
			st, err := storage.Open(o)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if err := st.Migrate(bg); err != nil {
				t.Fatal(err)
			}
			ts := serverOver(t, st, nil)
			_, coord := ts.user(domain.RoleCoordinator, 0)
			hold := st.DB().Begin() // takes the only connection
			if hold.Error != nil {
				t.Fatal(hold.Error)
			}
			r := ts.call("GET", "/api/v1/homes", coord, nil)
			hold.Rollback()
			if r.Status != 503 || r.Header.Get("Retry-After") == "" {
				t.Fatalf("pool exhausted: want 503 with Retry-After, got %d %s", r.Status, r.Body)
			}
			if r := ts.call("GET", "/api/v1/homes", coord, nil); r.Status != 200 {
				t.Fatalf("after the connection is back: %d", r.Status)
			}
		})
	}
}
