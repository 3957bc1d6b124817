package dev.felix.protocol;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StatusReportTest {

    @Test
    void canonicalJsonRoundTrips() {
        StatusReport report = new StatusReport(List.of(new Shard(1, Shard.READY, 40, true, 10L, 11L, 500),
                Shard.of(0, Shard.RESUMING, 0)), 500, 12.5, 99L);
        assertThat(StatusReport.fromJson(report.toJson())).isEqualTo(report);
        StatusReport bare = new StatusReport(List.of(), 0, null, null);
        assertThat(StatusReport.fromJson(bare.toJson())).isEqualTo(bare);
    }

    @Test
    void erisFieldsBeyondTheAckAreDropped() {
        StatusReport report = StatusReport.fromJson(
                "{\"shards\":[{\"id\":0,\"status\":\"ready\",\"latency\":5,\"ping\":5,\"presence\":{}}],\"guildsCount\":2}");
        assertThat(report.shards()).containsExactly(Shard.of(0, Shard.READY, 5));
    }

    @Test
    void malformedReportsSayWhatIsWrong() {
        assertThatThrownBy(() -> StatusReport.fromJson("{\"shards\":[{\"id\":0}],\"guildsCount\":1}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shards[0].status");
        assertThatThrownBy(() -> StatusReport.fromJson("{\"shards\":[]}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("guildsCount");
        assertThatThrownBy(() -> StatusReport.fromJson("nope"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("JSON");
    }
}
