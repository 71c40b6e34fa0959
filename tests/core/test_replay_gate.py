"""The replay gate checks everything the explicit search's enumeration guarantees."""

import pytest

from checker.core.replay import replay
from checker.core.trace import Step
from checker.errors import InternalError
from protocols.paxos import Paxos


def test_a_message_parameter_must_be_in_the_set():
    proto = Paxos(ballots=2)
    init = proto.initial_states()[0]
    never_sent = proto.M1a(bal=1)
    trace = [Step("Init", {}, init), Step("phase1b", {"a": "a1", "m": never_sent})]
    with pytest.raises(InternalError, match="no 1a element of msgs"):
        replay(proto, trace)


def test_a_parameter_outside_its_domain_is_refused():
    proto = Paxos(ballots=2)
    init = proto.initial_states()[0]
    with pytest.raises(InternalError, match="is not one of its values"):
        replay(proto, [Step("Init", {}, init), Step("phase1a", {"b": 7})])


def test_a_real_step_replays():
    proto = Paxos(ballots=2)
    init = proto.initial_states()[0]
    steps = replay(proto, [Step("Init", {}, init), Step("phase1a", {"b": 1})])
    assert steps[-1].state.msgs == {proto.M1a(bal=1)}
