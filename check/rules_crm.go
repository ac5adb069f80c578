package check

import "github.com/originsim/originsim/model"

// The rules of the CRM's tables (jaffle_crm). Its customer_id columns are
// logical references across systems: see Input.customer.

func campaignRules() []Rule {
	return append(rowRules(model.Campaigns),
		Rule{
			Name: "end_date >= start_date, budget positive", Table: "campaigns",
			Description: "A campaign ends no earlier than it starts and has money to spend.",
			Check:       campaignDatesBudget,
		},
	)
}

func campaignDatesBudget(in *Input, fail func(int64)) {
	for _, x := range in.d.Campaigns {
		if x.EndDate.Before(x.StartDate) || x.Budget <= 0 {
			fail(x.ID)
		}
	}
}

func emailRules() []Rule {
	return append(rowRules(model.EmailActivity),
		Rule{
			Name: "campaign_id references campaigns, customer_id references customers", Table: "email_activity",
			Description: "Every email belongs to a campaign that is there and goes to a customer of the shop (with hard deletes, one who may have left).",
			Check:       emailReferences,
			Custom:      true,
		},
		Rule{
			Name: "a click implies an open", Table: "email_activity",
			Description: "No one clicks in an email they did not open.",
			Check:       emailClickOpen,
		},
		Rule{
			Name: "sent_date falls inside its campaign", Table: "email_activity",
			Description: "An email is sent on a day of its campaign, from start_date to end_date inclusive.",
			Check:       emailInCampaign,
		},
	)
}

func emailReferences(in *Input, fail func(int64)) {
	for _, x := range in.d.EmailActivity {
		if in.campaigns[x.CampaignID] == nil || !in.customer(x.CustomerID) {
			fail(x.ID)
		}
	}
}

func emailClickOpen(in *Input, fail func(int64)) {
	for _, x := range in.d.EmailActivity {
		if x.Clicked && !x.Opened {
			fail(x.ID)
		}
	}
}

func emailInCampaign(in *Input, fail func(int64)) {
	for _, x := range in.d.EmailActivity {
		cp := in.campaigns[x.CampaignID]
		if cp != nil && (x.SentDate.Before(cp.StartDate) || !x.SentDate.Before(cp.EndDate.AddDate(0, 0, 1))) {
			fail(x.ID)
		}
	}
}

func sessionRules() []Rule {
	return append(rowRules(model.WebSessions),
		Rule{
			Name: "customer_id is NULL or references customers", Table: "web_sessions",
			Description: "A session is anonymous or belongs to a customer of the shop (with hard deletes, one who may have left).",
			Check:       sessionCustomer,
			Custom:      true,
		},
		Rule{
			Name: "session_end >= session_start, 3 to 20 page views", Table: "web_sessions",
			Description: "A session ends no earlier than it starts and views 3 to 20 pages.",
			Check:       sessionShape,
		},
	)
}

func sessionCustomer(in *Input, fail func(int64)) {
	for _, x := range in.d.WebSessions {
		if x.CustomerID != 0 && !in.customer(x.CustomerID) {
			fail(x.ID)
		}
	}
}

func sessionShape(in *Input, fail func(int64)) {
	for _, x := range in.d.WebSessions {
		if x.SessionEnd.Before(x.SessionStart) || x.PageViews < 3 || x.PageViews > 20 {
			fail(x.ID)
		}
	}
}
