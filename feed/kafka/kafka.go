// Package kafka publishes the change feed to Kafka as a Debezium
// PostgreSQL connector does: one topic per table (PREFIX.SCHEMA.TABLE),
// each record keyed by the row's primary key, its value Debezium's
// envelope (feed.Debezium), and a tombstone (the key, a null value) after
// each delete, so a compacted topic forgets the row. The producer is
// idempotent and waits for every in-sync replica: within a run the broker
// drops a resent batch, and a rerun sends the same records (same keys,
// values and source.lsn), which a consumer can tell apart.
package kafka

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/feed"
	"github.com/originsim/originsim/model"
)

// ParseURL reads kafka://HOST:PORT[,HOST:PORT...] into the seed brokers.
// Credentials are refused: originsim speaks to brokers without SASL or
// TLS for now.
func ParseURL(raw string) ([]string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "kafka" {
		return nil, fmt.Errorf("%q is not a Kafka URL: give kafka://HOST:PORT (several brokers: kafka://HOST:PORT,HOST:PORT)", driver.Redact(raw))
	}
	if u.User != nil {
		return nil, errors.New("the Kafka URL holds credentials: brokers with SASL are not supported yet; give kafka://HOST:PORT of a listener without authentication")
	}
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" {
		return nil, fmt.Errorf("kafka://%s: give brokers only (kafka://HOST:PORT), no path or options", u.Host)
	}
	var brokers []string
	for _, hp := range strings.Split(u.Host, ",") {
		host, port, err := net.SplitHostPort(hp)
		if err != nil || host == "" || port == "" {
			return nil, fmt.Errorf("kafka://%s: %q is not HOST:PORT", u.Host, hp)
		}
		brokers = append(brokers, hp)
	}
	return brokers, nil
}

// Producer publishes events. Write queues each; Close waits for every
// record to be acknowledged and returns the first failure.
type Producer struct {
	cl     *kgo.Client
	enc    *feed.Debezium
	wg     sync.WaitGroup
	mu     sync.Mutex
	err    error
	sent   int64
	topics map[string]bool
}

// Open connects to the brokers and makes the eight tables' topics (one
// partition each, the broker's replication factor) where they are
// missing. timeout bounds connecting, each request's retries and each
// record's delivery (0: 30 seconds).
func Open(ctx context.Context, brokers []string, enc *feed.Debezium, sc model.Schemas, timeout time.Duration) (*Producer, error) {
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(brokers...),
		kgo.DialTimeout(timeout),
		kgo.RetryTimeout(timeout),
		kgo.RecordDeliveryTimeout(timeout),
		kgo.RequiredAcks(kgo.AllISRAcks()), // idempotence needs every in-sync replica
		kgo.ProducerLinger(0),
		kgo.RecordPartitioner(kgo.StickyKeyPartitioner(nil)), // Kafka's murmur2 of the key, as Connect's producer
	)
	if err != nil {
		return nil, err
	}
	p := &Producer{cl: cl, enc: enc, topics: map[string]bool{}}
	var topics []string
	for _, t := range model.Tables() {
		name := enc.Topic(&feed.Event{Schema: sc.Of(t.System), Table: t})
		topics = append(topics, name)
		p.topics[name] = true
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	res, err := kadm.NewClient(cl).CreateTopics(cctx, 1, -1, nil, topics...)
	if err != nil {
		cl.Close()
		return nil, fmt.Errorf("kafka %s: %w", strings.Join(brokers, ","), err)
	}
	for _, r := range res.Sorted() {
		if r.Err != nil && !errors.Is(r.Err, kerr.TopicAlreadyExists) {
			cl.Close()
			return nil, fmt.Errorf("kafka: create topic %s: %w", r.Topic, r.Err)
		}
	}
	return p, nil
}

// Write queues the event's record, and after a delete its tombstone. It
// returns the first failure of an earlier record, if any.
func (p *Producer) Write(e *feed.Event) error {
	if err := p.failed(); err != nil {
		return err
	}
	value, err := p.enc.Value(e)
	if err != nil {
		return err
	}
	topic, key := p.enc.Topic(e), p.enc.Key(e)
	p.produce(&kgo.Record{Topic: topic, Key: key, Value: value})
	if e.Op == feed.Delete {
		p.produce(&kgo.Record{Topic: topic, Key: key}) // the tombstone: a null value
	}
	return nil
}

func (p *Producer) produce(r *kgo.Record) {
	p.wg.Add(1)
	p.cl.Produce(context.Background(), r, func(_ *kgo.Record, err error) {
		defer p.wg.Done()
		p.mu.Lock()
		defer p.mu.Unlock()
		if err != nil && p.err == nil {
			p.err = fmt.Errorf("kafka: produce to %s: %w", r.Topic, err)
		}
		if err == nil {
			p.sent++
		}
	})
}

func (p *Producer) failed() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// Flush waits until every record queued is acknowledged (or ctx ends).
func (p *Producer) Flush() error { return p.FlushContext(context.Background()) }

// FlushContext is Flush bounded by ctx.
func (p *Producer) FlushContext(ctx context.Context) error {
	if err := p.cl.Flush(ctx); err != nil {
		return err
	}
	p.wg.Wait()
	return p.failed()
}

// Sent counts the records acknowledged, tombstones included.
func (p *Producer) Sent() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sent
}

// Close flushes and disconnects.
func (p *Producer) Close() error {
	err := p.Flush()
	p.cl.Close()
	return err
}
