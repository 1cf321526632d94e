package dev.voiceagent.crm;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

class RequestPacerTest {

    @Test
    void withoutAHoldThereIsNoWait() throws Exception {
        assertThat(new RequestPacer(Duration.ofSeconds(1)).awaitTurn().toMillis(), lessThan(20L));
    }

    @Test
    void aHoldIsWaitedOut() throws Exception {
        RequestPacer pacer = new RequestPacer(Duration.ofSeconds(1));
        pacer.holdFor(Duration.ofMillis(200));

        assertThat(pacer.awaitTurn().toMillis(), greaterThanOrEqualTo(190L));
        assertThat(pacer.awaitTurn().toMillis(), lessThan(20L)); // over once waited out
    }

    @Test
    void aHoldIsBoundedWhateverTheVendorAsked() throws Exception {
        RequestPacer pacer = new RequestPacer(Duration.ofMillis(100));
        pacer.holdFor(Duration.ofHours(1));

        assertThat(pacer.awaitTurn().toMillis(), lessThan(300L));
    }

    @Test
    void aShorterHoldDoesNotCutALongerOneShort() throws Exception {
        RequestPacer pacer = new RequestPacer(Duration.ofSeconds(1));
        pacer.holdFor(Duration.ofMillis(250));
        pacer.holdFor(Duration.ofMillis(10));

        assertThat(pacer.awaitTurn().toMillis(), greaterThanOrEqualTo(240L));
    }

    @Test
    void anInterruptedWaitSaysSo() {
        RequestPacer pacer = new RequestPacer(Duration.ofSeconds(1));
        pacer.holdFor(Duration.ofSeconds(1));
        Thread.currentThread().interrupt();

        boolean interrupted;
        try {
            pacer.awaitTurn();
            interrupted = false;
        } catch (InterruptedException e) {
            interrupted = true;
        }

        assertThat(interrupted, is(true));
    }
}
