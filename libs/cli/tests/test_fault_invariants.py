"""The fault suite's checks find what they are there to find: an oversold seat, a request
decided twice or never, a mail sent twice, an event lost from an outbox, a stray dead letter."""

from uuid import UUID, uuid4

from kulturbro_cli.faults.invariants import (
    Decision,
    Facts,
    Mail,
    Seating,
    dead_letter_problems,
    doubled_mails,
    mail_problems,
    not_decided_once,
    outbox_problems,
    oversold,
    violations,
)
from kulturbro_cli.faults.suite import Row, table


def sound() -> Facts:
    """A state in which everything holds: two requests, one seated, one invitation each."""
    occurrence, first, second = uuid4(), uuid4(), uuid4()
    event, outbox_event = uuid4(), uuid4()
    teachers = {"a@felstad.example", "b@felstad.example"}
    return Facts(
        capacities={occurrence: 22},
        seated=[Seating(occurrence, 22)],
        accepted={first, second},
        decisions=[Decision(first, uuid4()), Decision(second, uuid4())],
        mails=[
            Mail("<1@k>", "a@felstad.example", "Pippi"),
            Mail("<2@k>", "b@felstad.example", "Pippi"),
        ],
        sent_deliveries=2,
        invited={event: set(teachers)},
        targeted=teachers,
        unpublished={"booking": 0},
        outbox_events={"booking": {outbox_event}},
        bus_events={outbox_event},
        dead_letters=[b'{"poison": 1}', b'{"poison": 1}'],
        poison={b'{"poison": 1}'},
    )


def test_a_sound_state_has_no_violations() -> None:
    assert violations(sound(), doubles_allowed=0) == []


def test_an_oversold_occurrence_is_named() -> None:
    occurrence = uuid4()
    found = oversold({occurrence: 44}, [Seating(occurrence, 22), Seating(occurrence, 23)])
    assert found == [f"occurrence {occurrence} oversold: 45 seats of 44"]
    assert oversold({occurrence: 45}, [Seating(occurrence, 22), Seating(occurrence, 23)]) == []


def test_a_seat_on_an_occurrence_with_no_capacity_is_oversold() -> None:
    facts = sound()
    facts.seated.append(Seating(uuid4(), 1))
    assert any("oversold" in problem for problem in violations(facts, doubles_allowed=0))


def test_a_request_decided_twice_or_never_is_named() -> None:
    twice, never = uuid4(), uuid4()
    decisions = [Decision(twice, uuid4()), Decision(twice, uuid4())]
    assert not_decided_once({twice, never}, decisions) == sorted(
        [f"booking {twice} decided 2 times", f"booking {never} decided 0 times"],
        key=lambda problem: UUID(problem.split()[1]),
    )


def test_a_redelivered_decision_is_still_one_decision() -> None:
    booking, event = uuid4(), uuid4()
    assert not_decided_once({booking}, [Decision(booking, event), Decision(booking, event)]) == []


def test_a_decision_for_a_request_nobody_made_is_named() -> None:
    stray = uuid4()
    assert not_decided_once(set(), [Decision(stray, uuid4())]) == [
        f"booking {stray} decided but never accepted"
    ]


def test_a_doubled_mail_fails_beyond_the_documented_bound() -> None:
    facts = sound()
    facts.mails.append(Mail("<1@k>", "a@felstad.example", "Pippi"))
    assert doubled_mails(facts.mails) == 1
    assert mail_problems(facts, doubles_allowed=0) == ["1 mails sent twice (allowed: 0)"]
    assert mail_problems(facts, doubles_allowed=1) == []


def test_the_same_message_made_twice_with_a_new_message_id_is_doubled_too() -> None:
    facts = sound()
    facts.mails.append(Mail("<3@k>", "a@felstad.example", "Pippi"))
    assert doubled_mails(facts.mails) == 1
    facts.mails[-1] = Mail("<3@k>", "a@felstad.example", "Booked: Pippi")
    assert doubled_mails(facts.mails) == 0


def test_a_mail_marked_sent_that_never_arrived_is_named() -> None:
    facts = sound()
    facts.sent_deliveries = 3
    assert mail_problems(facts, 0) == ["1 mails marked sent never reached the server"]


def test_a_teacher_never_invited_is_named() -> None:
    facts = sound()
    (event,) = facts.invited
    facts.invited = {event: {"a@felstad.example"}}
    assert mail_problems(facts, 0) == [f"1 teachers never invited to event {event}"]


def test_a_mail_still_pending_is_named() -> None:
    facts = sound()
    facts.unsent_deliveries = 4
    assert mail_problems(facts, 0) == ["4 mails never sent"]


def test_an_event_lost_from_an_outbox_is_named() -> None:
    lost = uuid4()
    assert outbox_problems({"booking": 0}, {"booking": {lost}}, set()) == [
        "1 events from booking's outbox never reached the bus"
    ]
    assert outbox_problems({"notify": 3}, {}, set()) == ["3 events still in notify's outbox"]


def test_only_deliberate_poison_may_be_dead_lettered() -> None:
    poison = {b'{"poison": 1}'}
    assert dead_letter_problems([b'{"poison": 1}'], poison) == []
    assert dead_letter_problems([b'{"poison": 1}', b'{"event_id": "x"}'], poison) == [
        'dead-lettered: b\'{"event_id": "x"}\''
    ]
    assert dead_letter_problems([], poison) == ["1 poison messages were not dead-lettered"]


def test_the_report_has_one_row_per_fault_and_says_what_broke() -> None:
    rows = [
        Row("kill -9 booking, start again", 0.1, 4.2, 40, 3, 120, 0),
        Row("broker stopped 5 s", 5.0, None, 38, 9, 100, 0, ["booking x decided 2 times"]),
    ]
    lines = table(rows, teachers=40).splitlines()
    assert len(lines) == 4
    assert "| kill -9 booking, start again | 0.1 s | 4.2 s | 40/40 |" in lines[2]
    assert "all hold" in lines[2]
    assert "never" in lines[3] and "booking x decided 2 times" in lines[3]
