package dev.voiceagent.loadtest;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whether a pool gives back, once the calls have stopped, what it grew under load (the soak's idle tail). */
class IdleTailTest {

    @Test
    void aPoolWithinItsSlackOfTheIdleLevelIsBack() {
        IdleTail t = IdleTail.judge("open fds", 119, 160, 121, 2);
        assertThat(t.outcome(), is(IdleTail.Outcome.BACK));
        assertThat(t.givenBack(), closeTo(39.0 / 41, 1e-9));
    }

    @Test
    void aPoolBelowItsWorkingSizeButAboveTheIdleLevelIsShrinking() {
        IdleTail t = IdleTail.judge("virtual threads", 8, 23, 15, 2);
        assertThat(t.outcome(), is(IdleTail.Outcome.SHRINKING));
        assertThat(t.givenBack(), closeTo(8.0 / 15, 1e-9));
    }

    @Test
    void aPoolWithinItsSlackOfItsWorkingSizeIsHeld() {
        IdleTail t = IdleTail.judge("db connections", 1, 7, 7, 0);
        assertThat(t.outcome(), is(IdleTail.Outcome.HELD));
        assertThat(t.givenBack(), closeTo(0, 1e-9));
        assertThat(IdleTail.judge("open fds", 119, 160, 161, 2).outcome(), is(IdleTail.Outcome.HELD));
    }

    @Test
    void aPoolThatGrowsWithNoCallsIsCalledOut() {
        IdleTail t = IdleTail.judge("open fds", 119, 160, 170, 2);
        assertThat(t.outcome(), is(IdleTail.Outcome.GREW));
        assertThat(t.render(), containsString("GREW while idle"));
    }

    @Test
    void nothingGivenBackIsUndefinedWhenNothingGrew() {
        IdleTail t = IdleTail.judge("platform threads", 33, 33, 33, 1);
        assertThat(t.outcome(), is(IdleTail.Outcome.BACK));
        assertTrue(Double.isNaN(t.givenBack()));
        assertThat(t.render(), containsString(" - "));
    }

    @Test
    void aNegativeSlackIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> IdleTail.judge("x", 1, 2, 3, -1));
    }
}
