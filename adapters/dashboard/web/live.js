// One live event stream for the whole page. It starts at the end of the log (the
// dashboard shows what happens from now on, plus the last few events), keeps the
// most recent events for the Events view, and tells subscribers of each new one.
// It reads the stream with fetch rather than EventSource: that sees every event
// type without naming them all, and sends the same headers as every other call.
import { api, authHeaders, results } from './api.js';

const keep = 200;

// hasAfter reports whether any of the caller's events come after cursor c.
async function hasAfter(c) {
  return (await results('/api/v1/events?limit=1&after=' + c))[0].events.length > 0;
}

// lastCursor is the cursor of the caller's last event (0: none). The API pages
// forward only, so rather than reading the whole log it doubles a probe until no
// event follows, then halves the gap: a few tiny requests, however long the log.
async function lastCursor() {
  if (!(await hasAfter(0))) return 0;
  let lo = 0; // an event follows lo
  let hi = 1; // once none follows hi
  while (await hasAfter(hi)) {
    lo = hi;
    hi *= 2;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (await hasAfter(mid)) lo = mid; else hi = mid;
  }
  return hi;
}

class Live {
  constructor() {
    this.recent = [];
    this.listeners = new Set();
    this.cursor = '0';
    this.abort = null;
  }

  // start shows the last events (those among the log's last `keep` positions) and
  // follows the log from its end.
  async start() {
    const end = await lastCursor();
    const [p] = await results('/api/v1/events?limit=' + keep + '&after=' + Math.max(0, end - keep));
    this.recent = p.events;
    this.cursor = String(end);
    this.follow();
  }

  // follow reads the stream and reconnects after the last event seen when it drops.
  async follow() {
    this.abort = new AbortController();
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        const res = await fetch('/api/v1/events/stream?after=' + this.cursor,
          { headers: { ...authHeaders(), Accept: 'text/event-stream' }, credentials: 'same-origin', signal });
        if (!res.ok) {
          await api('GET', '/api/auth/me'); // a lost login goes to the login page
          throw new Error('stream refused: ' + res.status);
        }
        this.emit({ connected: true });
        await this.read(res.body.getReader());
      } catch (e) {
        if (signal.aborted) return;
      }
      this.emit({ connected: false });
      await new Promise((r) => setTimeout(r, 2000));
    }
  }

  // read parses server-sent frames: only their data line (the event as JSON) matters.
  async read(reader) {
    const decoder = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += decoder.decode(value, { stream: true });
      let end;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const data = frame.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
        if (data) this.received(JSON.parse(data));
      }
    }
  }

  stop() {
    if (this.abort) this.abort.abort();
  }

  received(ev) {
    this.cursor = ev.cursor;
    this.recent.push(ev);
    if (this.recent.length > keep) this.recent.shift();
    this.emit({ event: ev });
  }

  emit(msg) {
    for (const fn of this.listeners) fn(msg);
  }

  // on calls fn with {event} for each new event and {connected} when the stream
  // opens or drops; it returns the function that stops listening.
  on(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}

export const live = new Live();
