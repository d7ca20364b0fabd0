// Package bench holds the benchmarks `make bench` prints: bed updates with
// their audit and outbox writes, vacancy search over HTTP against a
// SQL-per-request baseline, 304 revalidation and the memory of the vacancy
// snapshot, each against a national-size dataset on PostgreSQL and SQLite.
//
// The benchmarks are tests behind the "bench" build tag, so `make test` never
// compiles them: run them with
//
//	go test -tags bench -count=1 -timeout 30m -v -run '^TestBench' ./backend/bench/
//
// They print figures and their targets and never fail on a missed target;
// they fail only when something they measure does not work.
package bench
