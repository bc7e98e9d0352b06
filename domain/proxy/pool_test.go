package proxy_test

import (
	"slices"
	"testing"
	"time"

	"github.com/warest-go/warest/domain/proxy"
)

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

const (
	a = "http://a:1"
	b = "http://b:2"
	c = "socks5://c:3"
)

func TestParseURLs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw     string
		want    []string
		wantErr bool
	}{
		{"", nil, false},
		{"a:1", []string{a}, false},
		{"a:1, http://a:1\nsocks5://c:3", []string{a, c}, false},
		{" https://u:p@b:2 ,, ", []string{"https://u:p@b:2"}, false},
		{"ftp://x:1", nil, true},
		{"http://", nil, true},
	}
	for _, tt := range tests {
		got, err := proxy.ParseURLs(tt.raw)
		if (err != nil) != tt.wantErr || !slices.Equal(got, tt.want) {
			t.Errorf("ParseURLs(%q) = %v, %v; want %v, err %v", tt.raw, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestParseStrategyAliasesAndDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw  string
		n    int
		want proxy.Strategy
	}{
		{"", 1, proxy.Failover},
		{"", 3, proxy.RoundRobin},
		{"rr", 1, proxy.RoundRobin},
		{"round-robin", 1, proxy.RoundRobin},
		{"primary", 3, proxy.Failover},
		{"RAND", 3, proxy.Random},
	}
	for _, tt := range tests {
		if got, err := proxy.ParseStrategy(tt.raw, tt.n); err != nil || got != tt.want {
			t.Errorf("ParseStrategy(%q, %d) = %v, %v; want %v", tt.raw, tt.n, got, err, tt.want)
		}
	}
	if _, err := proxy.ParseStrategy("fastest", 2); err == nil {
		t.Error("unknown strategy accepted")
	}
}

func TestDefaultsFollowWAREST(t *testing.T) {
	t.Parallel()
	one, many := proxy.Defaults(1), proxy.Defaults(2)
	if one.Strategy != proxy.Failover || one.RotateAfter != 1 || !one.Sticky || one.Cooloff != 15*time.Second || one.Multiplier != 3 {
		t.Errorf("one proxy: %+v", one)
	}
	if many.Strategy != proxy.RoundRobin || many.RotateAfter != 2 {
		t.Errorf("several proxies: %+v", many)
	}
	if proxy.Defaults(0).Sticky {
		t.Error("sticky without proxies")
	}
}

// step is one action on a pool: a pick (want is the expected proxy), a failure or a success.
type step struct {
	at      time.Duration
	session string
	op      string // pick, fail, ok
	proxy   string // for fail/ok; for pick, the expected result
}

func TestPoolPolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		cfg   proxy.Config
		rand  []int
		steps []step
	}{
		{"empty pool picks nothing", proxy.Config{}, nil, []step{{0, "s1", "pick", ""}}},
		{"failover uses the first healthy proxy", proxy.Config{URLs: []string{a, b}, Strategy: proxy.Failover}, nil, []step{
			{0, "s1", "pick", a}, {0, "s2", "pick", a},
			{0, "s1", "fail", a}, {0, "s1", "pick", b},
			{15 * time.Second, "s3", "pick", a}, // cool-off over
		}},
		{"round robin shares a cursor and skips cooling proxies", proxy.Config{URLs: []string{a, b, c}, Strategy: proxy.RoundRobin}, nil, []step{
			{0, "s1", "pick", a}, {0, "s2", "pick", b}, {0, "s3", "pick", c},
			{0, "s4", "fail", a}, {0, "s4", "pick", b},
		}},
		{"random picks among healthy proxies", proxy.Config{URLs: []string{a, b, c}, Strategy: proxy.Random}, []int{2, 0}, []step{
			{0, "s1", "pick", c},
			{0, "s2", "fail", a}, {0, "s2", "pick", b}, // ready = [b c], rand 0
		}},
		{"sticky session keeps its proxy below the rotation threshold", proxy.Config{URLs: []string{a, b}, Strategy: proxy.RoundRobin, Sticky: true, RotateAfter: 2, Cooloff: time.Second}, nil, []step{
			{0, "s1", "pick", a}, {0, "s2", "pick", b},
			{0, "s1", "pick", a},
			{0, "s1", "fail", a}, // cooling 1 s, still assigned
			{500 * time.Millisecond, "s1", "pick", b},
			{0, "s1", "pick", b},
		}},
		{"sticky session returns to its proxy once it has cooled", proxy.Config{URLs: []string{a, b}, Strategy: proxy.Failover, Sticky: true, RotateAfter: 3, Cooloff: time.Second}, nil, []step{
			{0, "s1", "pick", a},
			{0, "s1", "fail", a},
			{2 * time.Second, "s1", "pick", a},
		}},
		{"non-sticky session is unassigned on failure", proxy.Config{URLs: []string{a, b}, Strategy: proxy.Failover, Cooloff: time.Second}, nil, []step{
			{0, "s1", "pick", a}, {0, "s1", "fail", a},
			{2 * time.Second, "s1", "pick", a},
		}},
		{"cool-off grows with failures up to the multiplier", proxy.Config{URLs: []string{a, b}, Strategy: proxy.Failover, Cooloff: time.Second, Multiplier: 2}, nil, []step{
			{0, "s1", "fail", a}, {0, "s1", "fail", a}, {0, "s1", "fail", a}, // 3 failures: 1 s × min(2, 3)
			{1900 * time.Millisecond, "s2", "pick", b},
			{2 * time.Second, "s3", "pick", a},
		}},
		{"success resets failures and cooling", proxy.Config{URLs: []string{a, b}, Strategy: proxy.Failover}, nil, []step{
			{0, "s1", "fail", a}, {0, "s1", "ok", a}, {0, "s2", "pick", a},
		}},
		{"all cooling falls back to the first", proxy.Config{URLs: []string{a, b}, Strategy: proxy.RoundRobin}, nil, []step{
			{0, "s1", "fail", a}, {0, "s1", "fail", b}, {0, "s2", "pick", a},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rands := tt.rand
			p, err := proxy.NewPool(tt.cfg, func(n int) int {
				r := rands[0] % n
				rands = rands[1:]
				return r
			})
			if err != nil {
				t.Fatal(err)
			}
			for i, s := range tt.steps {
				now := t0.Add(s.at)
				switch s.op {
				case "pick":
					if got := p.Pick(s.session, now); got != s.proxy {
						t.Fatalf("step %d: Pick(%s) = %q, want %q", i, s.session, got, s.proxy)
					}
				case "fail":
					p.ReportFailure(s.session, s.proxy, now)
				case "ok":
					p.ReportSuccess(s.proxy)
				}
			}
		})
	}
}

func TestPoolReleaseForgetsTheAssignment(t *testing.T) {
	t.Parallel()
	p, err := proxy.NewPool(proxy.Config{URLs: []string{a, b}, Strategy: proxy.RoundRobin, Sticky: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Pick("s1", t0) != a {
		t.Fatal("first pick")
	}
	p.Release("s1")
	if got := p.Pick("s1", t0); got != b {
		t.Fatalf("after release Pick = %q, want the next proxy", got)
	}
}

func TestNewPoolFillsDefaultsAndRejectsUnknownStrategy(t *testing.T) {
	t.Parallel()
	p, err := proxy.NewPool(proxy.Config{URLs: []string{a, b}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg := p.Config(); cfg.Strategy != proxy.RoundRobin || cfg.RotateAfter != 2 || cfg.Cooloff != 15*time.Second || cfg.Multiplier != 3 {
		t.Errorf("effective config %+v", cfg)
	}
	if _, err := proxy.NewPool(proxy.Config{URLs: []string{a}, Strategy: "fastest"}, nil); err == nil {
		t.Error("unknown strategy accepted")
	}
}

// Health shows failures and cooling per proxy, never a proxy's credentials.
func TestHealthReportsStandingWithoutCredentials(t *testing.T) {
	p, err := proxy.NewPool(proxy.Config{URLs: []string{"http://user:secret@a:1", "socks5://b:2"}, Cooloff: time.Minute, Multiplier: 1}, func(int) int { return 0 })
	if err != nil {
		t.Fatal(err)
	}
	p.ReportFailure("s1", "http://user:secret@a:1", t0)
	got := p.Health(t0.Add(time.Second))
	want := []proxy.Health{{URL: "http://a:1", Failures: 1, Cooling: true}, {URL: "socks5://b:2"}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("Health = %+v, want %+v", got, want)
	}
	if h := p.Health(t0.Add(2 * time.Minute)); h[0].Cooling || h[0].Failures != 1 {
		t.Fatalf("after the cool-off: %+v", h[0])
	}
	p.ReportSuccess("http://user:secret@a:1")
	if h := p.Health(t0); h[0].Failures != 0 {
		t.Fatalf("after a success: %+v", h[0])
	}
	if (*proxy.Pool)(nil).Health(t0) != nil {
		t.Fatal("no pool, no health")
	}
}
