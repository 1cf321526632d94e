package dev.voiceagent.loadtest;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/** How a soak call of a given length spreads its turns: about one every 25 s, quiet between them. */
class SoakCallPlanTest {

    private static final Duration MIN_PAUSE = Duration.ofMillis(1200);

    @Test
    void aShortCallTalksOnceAndWaitsTheRestOfItsLength() {
        SoakSimulator.CallPlan plan = SoakSimulator.CallPlan.of(Duration.ofSeconds(30), MIN_PAUSE);
        assertThat(plan.turns(), is(1));
        assertThat(plan.pause(), is(Duration.ofSeconds(18))); // (30 - 6) / 1 - 6
    }

    @Test
    void aLongCallSpreadsItsTurnsOverItsLength() {
        SoakSimulator.CallPlan plan = SoakSimulator.CallPlan.of(Duration.ofSeconds(120), MIN_PAUSE);
        assertThat(plan.turns(), is(4));
        assertThat(plan.pause(), is(Duration.ofMillis(22_500))); // (120 - 6) / 4 - 6
    }

    @Test
    void thePauseIsNeverShorterThanTheLeastPause() {
        SoakSimulator.CallPlan plan = SoakSimulator.CallPlan.of(Duration.ofSeconds(10), Duration.ofSeconds(5));
        assertThat(plan.turns(), is(1));
        assertThat(plan.pause(), is(Duration.ofSeconds(5)));
    }
}
