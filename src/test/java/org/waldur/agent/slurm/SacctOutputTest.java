package org.waldur.agent.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SacctOutputTest {

    @Test
    void jobIdsWithoutStepsAndDuplicates() {
        assertThat(SacctOutput.jobIds("12\n12.batch\n12.extern\n13\n13.0\n")).containsExactly("12", "13");
    }

    @Test
    void arrayAndHeterogeneousJobIds() {
        assertThat(SacctOutput.jobIds("20_1\n20_1.batch\n20_[2-5%2]\n30+0\n30+1.batch\n")).containsExactly("20_1", "20_[2-5%2]", "30+0", "30+1");
    }

    @Test
    void emptyOutputIsNoJobs() {
        // list_active_user_jobs in the transcripts: nothing, rc 0
        assertThat(SacctOutput.jobIds("")).isEmpty();
        assertThat(SacctOutput.jobIds(null)).isEmpty();
        assertThat(SacctOutput.jobIds("\n  \r\n")).isEmpty();
    }

    @Test
    void firstFieldOfWiderFormats() {
        assertThat(SacctOutput.jobIds("41|sleep|debug|t_alloc1|root|RUNNING\r\n41.batch|batch||t_alloc1||RUNNING\n"))
                .containsExactly("41");
    }

    @Test
    void anythingElseIsAnError() {
        assertThatThrownBy(() -> SacctOutput.jobIds("12\nsacct: error: Invalid user id: x\n"))
                .isInstanceOf(UnexpectedSlurmOutputException.class).hasMessageContaining("Invalid user id");
        assertThatThrownBy(() -> SacctOutput.jobIds("JobID\n")).isInstanceOf(UnexpectedSlurmOutputException.class);
    }
}
