#!/usr/bin/env bash
# `make demo`: one child's case told from referral to closure, one `cpw record` at a time,
# in the default store (or the one CPW_DB names), with one step the rules refuse, the case
# as it stood on a past date, its audit, and its path on the lifecycle as a picture.
#
# Every step carries an idempotency key, so running the demo again against the same store
# repeats the same answers and writes nothing new.
set -euo pipefail
cd "$(dirname "$0")/.."
CPW=${CPW:-.venv/bin/cpw}
CASE=${DEMO_CASE:-DEMO-1}
# The story happens in 2025-26. Each step is recorded on the day it happened (CPW_TODAY is
# that day) unless the story says otherwise; what follows the story is read on TODAY.
TODAY="${CPW_TODAY:-2026-04-01}"
export CPW_TODAY="$TODAY"
OUT=${DEMO_OUT:-eventstore}
SW='--actor sw-104 --role social_worker'
TM='--actor tm-12 --role team_manager'
CHAIR='--actor iro-7 --role cp_chair'
n=0

if [ -t 1 ]; then bold=$'\033[1m' dim=$'\033[2m' off=$'\033[0m'; else bold='' dim='' off=''; fi

say() { printf '\n%s%s%s\n' "$bold" "$1" "$off"; }
run() { printf '%s$ cpw %s%s\n' "$dim" "$*" "$off"; "$CPW" "$@"; }
squeeze() { printf '%s' "$1" | tr -s ' \n' ' '; }

# record WHY TYPE DATE WHO DATA [RECORDED_ON]: one step of the story, shown as a command
# one can paste, recorded on DATE unless RECORDED_ON says it was written up later.
record() {
  n=$((n + 1))
  local data
  data=$(squeeze "$5")
  say "$n. $1"
  printf "%s\$ cpw record %s %s --on %s %s --key demo-%s-%s --data '%s'%s\n" \
    "$dim" "$CASE" "$2" "$3" "$4" "$CASE" "$n" "$data" "$off"
  # shellcheck disable=SC2086 # WHO is two options on purpose
  CPW_TODAY="${6:-$3}" "$CPW" record "$CASE" "$2" --on "$3" $4 --key "demo-$CASE-$n" --data "$data"
}

say "$("$CPW" init)"
again=""
if "$CPW" show "$CASE" --json >/dev/null 2>&1; then
  again=1
  printf '%s is already in this store: the demo ran here before. Each step repeats by its\nidempotency key and writes nothing new.\n' "$CASE"
fi

record "A school refers Amira, 8, with concerns of neglect; the social worker opens her case." \
  CaseOpened 2025-09-01 "$SW" \
  '{"child": {"ref": "'"$CASE"'", "birth_date": "2017-03-09", "gender": "F", "ethnicity": "WBRI"},
    "referral": {"date": "2025-09-01", "source": "2A", "primary_need": "N1"}}'

record "The next day a strategy meeting decides on a section 47 enquiry; the assessment clock starts." \
  StrategyMeetingHeld 2025-09-02 "$TM" \
  '{"outcome": "s47", "participants": [{"id": "sw-104", "role": "social_worker"}, {"id": "tm-12", "role": "team_manager"}]}'

record "The social worker completes the assessment within its 35 working days." \
  AssessmentCompleted 2025-09-18 "$SW" '{"factors": ["16A"], "child_seen": true}'

record "The initial conference makes a child protection plan under neglect and names the lead social worker: visits, core groups and the first review fall due." \
  InitialConferenceHeld 2025-09-22 "$CHAIR" \
  '{"chair": {"id": "iro-7", "role": "cp_chair"}, "decision": "plan", "categories": ["neglect"],
    "lead_social_worker": {"id": "sw-104", "role": "social_worker"}, "first_review_date": "2025-12-08"}'

record "The first core group meets within 10 working days and sets its next meeting." \
  CoreGroupMeetingHeld 2025-09-29 "$TM" \
  '{"chair": {"id": "tm-12", "role": "team_manager"}, "attendees": [{"id": "sw-104", "role": "social_worker"}, "school"], "next_meeting_date": "2025-11-10"}'

record "The social worker visits, sees Amira alone and sees her bedroom." \
  ChildVisited 2025-10-03 "$SW" '{"seen": true, "seen_alone": true, "bedroom_seen": true}'

record "The next visit comes a week after the fortnight was up: the engine says how late." \
  ChildVisited 2025-10-24 "$SW" '{"seen": true, "seen_alone": true}'

record "The chair convenes the first review conference for the date the plan set." \
  ReviewConferenceConvened 2025-11-17 "$CHAIR" '{"conference_date": "2025-12-08"}'

SUPPORT='"continuing_support": {"kind": "cin", "family_consent": true, "plan": {
    "outcomes": ["Amira attends school every day this term"],
    "actions": [{"action": "Visit and see Amira alone", "every_weeks": 4, "owner": {"id": "sw-104", "role": "social_worker"}},
                {"action": "Report attendance to the core network", "every_weeks": 2, "owner": "school"}],
    "contingency": "If attendance falls below 90% the social worker convenes a strategy discussion within 2 working days.",
    "first_meeting_date": "2026-01-05", "review_interval_weeks": 6, "visiting_interval_weeks": 4}}'
REVIEW='"chair": {"id": "iro-7", "role": "cp_chair"}, "decision": "end_plan",
    "category_judgements": {"neglect": "no_longer_at_risk"}, "social_worker_recommendation": "end_plan", "manager_attended": true'

say "Refused: the review conference wants to end the plan at its first review, but that needs overriding reasons, and it gives none. The rule says so by its id and source; exit 1, nothing written."
printf '%s$ cpw record %s ReviewConferenceHeld --on 2025-12-08 %s --data (the same, without overriding_reasons)%s\n' \
  "$dim" "$CASE" "$CHAIR" "$off"
[ -z "$again" ] || echo "(The case has closed since the first run, so now G-STAGE refuses this too.)"
# shellcheck disable=SC2086 # CHAIR is two options on purpose
if CPW_TODAY=2025-12-08 "$CPW" record "$CASE" ReviewConferenceHeld --on 2025-12-08 $CHAIR \
  --data "$(squeeze "{$REVIEW, $SUPPORT}")" 2>&1; then
  echo "demo: the rules should have refused this step" >&2
  exit 1
fi

record "The conference gives its overriding reasons and steps Amira down to a child in need plan. The chair writes it up nine days later, on 2025-12-17: the engine says what that made overdue." \
  ReviewConferenceHeld 2025-12-08 "$CHAIR" \
  "{$REVIEW, \"overriding_reasons\": \"Neglect resolved: attendance 98% since October, home conditions good at every visit.\", $SUPPORT}" \
  2025-12-17

record "The chair records the conference's outcomes on Amira's file the same day, late." \
  OutcomesRecorded 2025-12-17 "$CHAIR" '{}'

record "The social worker puts the child in need plan on Amira's file ..." \
  ChildInNeedPlanRecorded 2025-12-18 "$SW" '{}'

record "... and circulates it to Amira, her family and the agencies." \
  ChildInNeedPlanCirculated 2025-12-19 "$SW" '{"recipients": ["child", "family", "agencies"]}'

record "An IRO manager audits the plan that ended at its first review, as the pack requires." \
  IroManagerAuditCompleted 2025-12-22 '--actor irom-2 --role iro_manager' '{"findings": "Ending justified."}'

record "The social worker visits at the plan's four-weekly interval." \
  ChildVisited 2026-01-02 "$SW" '{"seen": true, "seen_alone": true}'

record "The conference chair chairs the first child in need meeting; Amira is now a child in need." \
  ChildInNeedMeetingHeld 2026-01-05 "$CHAIR" \
  '{"chair": {"id": "iro-7", "role": "cp_chair"}, "kind": "first", "next_meeting_date": "2026-02-16", "review_interval_weeks": 6}'

record "The team manager holds the reflective discussion that must come before the plan ends." \
  ReflectiveDiscussionHeld 2026-02-09 "$TM" \
  '{"recorded_by": {"id": "tm-12", "role": "team_manager"}, "outcome": "Outcomes met; end the plan at the final review",
    "participants": [{"id": "tm-12", "role": "team_manager"}, {"id": "sw-104", "role": "social_worker"}, {"id": "iro-7", "role": "cp_chair"}]}'

record "The final review ends the child in need plan with the school as lead professional; the case closes." \
  FinalChildInNeedReviewHeld 2026-02-16 '--actor aswp-3 --role aswp' \
  '{"chair": {"id": "aswp-3", "role": "aswp"}, "decision": "end_plan", "lead_professional": {"id": "hv-31", "role": "lead_professional"},
    "outstanding_outcomes": ["Attendance stays above 95% this term"], "actions": [{"action": "Monitor attendance", "every_weeks": 2, "owner": "school"}],
    "review_interval_weeks": 8, "contingency": "The school refers to the front door if attendance drops below 90%.", "professionals_informed": true}'

say "Today is $TODAY. Amira's case as it stood on 2025-11-01, on the plan, with what was then due:"
run show "$CASE" --as-of 2025-11-01

say "The whole history: seq, when it happened, when it was recorded, who, and the stage after."
run history "$CASE"

say "The audit: every timescale met, late by N working days, or missed; and the hash chain checked."
run audit "$CASE"

say "Amira's path on the lifecycle as a picture: her steps numbered by their seq in the history, the edges she took lit, her stage filled."
mkdir -p "$OUT"
picture="$OUT/$CASE-lifecycle.svg"
if ! command -v dot >/dev/null 2>&1; then
  echo "(Graphviz 'dot' is not installed, so no SVG: sudo apt-get install -y graphviz. The same diagram as Mermaid text instead, which GitHub and mermaid.live draw.)"
  picture="$OUT/$CASE-lifecycle.mmd"
fi
run diagram --case "$CASE" -o "$picture"

where=""
[ -n "${CPW_DB:-}" ] && where="CPW_DB=$CPW_DB "
printf '\nThe case stays in the store (%s). Look again with:\n  %s%s show %s\n' \
  "${CPW_DB:-sqlite:///eventstore/cpworkflow.db, the default}" "$where" "$CPW" "$CASE"
printf 'The diagram: %s\n' "$(realpath "$picture")"
