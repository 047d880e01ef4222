package io.kubus.agent.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DefaultDnsRecordEncoder;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;

import java.util.List;

/**
 * {@link ClusterZone}'s records as Netty's DNS records. Netty encodes names and A/AAAA data as raw records; the data
 * of CNAME, SRV and SOA hold names, written here with Netty's own name encoding.
 */
final class DnsWire extends DefaultDnsRecordEncoder {
    /** Header (12 bytes) of a DNS message, for the size of an answer. */
    private static final int HEADER = 12;

    DnsQuestion copy(DnsQuestion question) {
        return new DefaultDnsQuestion(question.name(), question.type(), question.dnsClass());
    }

    /**
     * Puts the answer in the response; when its encoding would pass {@code limit} bytes, the additional section is
     * left out, and if that is not enough the answers too, with TC set: the client asks again over TCP.
     */
    void fill(DnsResponse response, ClusterZone.Answer answer, int limit) {
        response.setCode(DnsResponseCode.valueOf(answer.rcode()));
        List<DnsRecord> answers = records(answer.answers());
        List<DnsRecord> authority = records(answer.authority());
        List<DnsRecord> additional = records(answer.additional());
        int base = HEADER + size((DnsRecord) response.recordAt(DnsSection.QUESTION));
        int core = base + size(answers) + size(authority);
        if (core > limit) {
            response.setTruncated(true);
            release(answers);
            release(additional);
            authority.forEach(r -> response.addRecord(DnsSection.AUTHORITY, r));
            return;
        }
        answers.forEach(r -> response.addRecord(DnsSection.ANSWER, r));
        authority.forEach(r -> response.addRecord(DnsSection.AUTHORITY, r));
        if (core + size(additional) <= limit) {
            additional.forEach(r -> response.addRecord(DnsSection.ADDITIONAL, r));
        } else {
            release(additional);
        }
    }

    private List<DnsRecord> records(List<ClusterZone.Record> records) {
        return records.stream().map(this::record).toList();
    }

    private DnsRecord record(ClusterZone.Record r) {
        ByteBuf data = Unpooled.buffer();
        try {
            switch (r.data()) {
                case ClusterZone.Address a -> data.writeBytes(a.address().getAddress());
                case ClusterZone.Target t -> encodeName(absolute(t.name()), data);
                case ClusterZone.Srv s -> {
                    data.writeShort(s.priority()).writeShort(s.weight()).writeShort(s.port());
                    encodeName(absolute(s.target()), data);
                }
                case ClusterZone.Soa s -> {
                    encodeName(absolute(s.mname()), data);
                    encodeName(absolute(s.rname()), data);
                    data.writeInt((int) s.serial()).writeInt((int) s.refresh()).writeInt((int) s.retry())
                            .writeInt((int) s.expire()).writeInt((int) s.minimum());
                }
            }
        } catch (Exception e) {
            data.release();
            throw new IllegalArgumentException("cannot encode " + r, e);
        }
        return new DefaultDnsRawRecord(absolute(r.name()), DnsRecordType.valueOf(r.type()), r.ttl(), data);
    }

    private static String absolute(String name) {
        return name.endsWith(".") ? name : name + ".";
    }

    private int size(List<DnsRecord> records) {
        int total = 0;
        for (DnsRecord r : records) {
            total += size(r);
        }
        return total;
    }

    /** The record's encoded size, measured by encoding it as Netty will (names are not compressed). */
    private int size(DnsRecord r) {
        if (r == null) {
            return 0;
        }
        ByteBuf scratch = Unpooled.buffer();
        try {
            if (r instanceof DnsQuestion q) {
                encodeQuestion(q, scratch);
            } else {
                encodeRecord(r, scratch);
            }
            return scratch.readableBytes();
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot encode " + r, e);
        } finally {
            scratch.release();
        }
    }

    private static void release(List<DnsRecord> records) {
        records.forEach(r -> ((DefaultDnsRawRecord) r).release());
    }
}
