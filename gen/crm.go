package gen

import (
	"time"

	"github.com/originsim/originsim/changeset"
	"github.com/originsim/originsim/model"
)

// campaigns: in the CRM, campaigns are announced a week before they start
// (inserted on that day) and archived a month after they end.
func (s *State) campaigns(w *workday) {
	ins := changeset.Step{Table: model.Campaigns, Kind: changeset.Insert, What: "new", Columns: model.Get(model.Campaigns).ColumnNames()}
	for k := int64(len(s.d.Campaigns)) + 1; ; k++ {
		c := s.cfg.campaign(k)
		if !model.Day(c.CreatedAt).Equal(w.date) {
			break
		}
		s.d.Campaigns = append(s.d.Campaigns, c)
		ins.Rows = append(ins.Rows, c.Values())
	}
	w.add(ins)
	arch := changeset.Step{Table: model.Campaigns, Kind: changeset.SoftDelete, What: "archived", Columns: []string{"campaign_id", "updated_at", "deleted_at"}}
	for i := range s.d.Campaigns {
		c := &s.d.Campaigns[i]
		if c.Active() && c.EndDate.AddDate(0, 0, campaignDays).Equal(w.date) {
			t := w.at(hCampaigns + time.Minute)
			c.UpdatedAt, c.DeletedAt = t, t
			arch.Rows = append(arch.Rows, []any{c.ID, t, t})
		}
	}
	w.add(arch)
}

// emailActivity: the running campaign's emails go out through the working
// day to customers who were active this morning; about half are opened and
// half of those clicked.
func (s *State) emailActivity(w *workday) {
	step := changeset.Step{Table: model.EmailActivity, Kind: changeset.Insert, What: "new", Columns: model.Get(model.EmailActivity).ColumnNames()}
	first := s.appended[model.EmailActivity]
	for i := range w.plan.Emails {
		id := model.KeyAt(first + i)
		r := w.rowStream(tagEmail, id)
		sent := spread(w.at(hSendFrom), w.at(hSendTo), i, w.plan.Emails, r)
		e := s.cfg.email(id, w.audience[r.intn(len(w.audience))], sent, r)
		s.appended[model.EmailActivity]++
		if !s.lean {
			s.d.EmailActivity = append(s.d.EmailActivity, e)
		}
		step.Rows = append(step.Rows, e.Values())
	}
	w.add(step)
}

// webSessions: visitors browse the web site from morning to evening; about
// 30 % of the sessions are anonymous, the others are of customers who were
// active this morning.
func (s *State) webSessions(w *workday) {
	step := changeset.Step{Table: model.WebSessions, Kind: changeset.Insert, What: "new", Columns: model.Get(model.WebSessions).ColumnNames()}
	first := s.appended[model.WebSessions]
	for i := range w.plan.Sessions {
		id := model.KeyAt(first + i)
		r := w.rowStream(tagSession, id)
		start := spread(w.at(hWebFrom), w.at(hWebTo), i, w.plan.Sessions, r)
		var cust int64
		if !r.pct(30) {
			cust = w.audience[r.intn(len(w.audience))]
		}
		ws := session(id, cust, start, r)
		s.appended[model.WebSessions]++
		if !s.lean {
			s.d.WebSessions = append(s.d.WebSessions, ws)
		}
		step.Rows = append(step.Rows, ws.Values())
	}
	w.add(step)
}
