/* A CSV reader over libcsv and zlib that knows where it is.
 *
 * It reads a file or standard input, plain or gzip (told by the magic bytes,
 * through zlib), converts it to UTF-8 with iconv when an encoding is named,
 * strips a UTF-8 byte order mark, detects the delimiter from the header line,
 * and hands out one record at a time with the physical line its first byte
 * stood on and the record's own bytes, for the rejects file.  libcsv counts
 * nothing, so the reader feeds it one physical line at a time and counts the
 * lines itself (a newline inside quotes is a line too).
 *
 * Memory is bounded per record: the size of a field (a refusing realloc for
 * libcsv's buffer), the number of fields and the bytes of a record are capped,
 * so a quote left open on line 2 of a 1 GB file, or one line of a billion
 * delimiters, costs at most the caps, not the file.  Past a cap the rest of
 * the record's physical line is skipped by scanning for its end, unparsed.
 * Records are checked against the header's field count.
 *
 * A line without a quote character is split by a scanner (memchr-style, no
 * per-field copy) that gives exactly what libcsv gives: blanks around fields
 * dropped unless keep_blanks, blank lines skipped but counted, CR, LF and
 * CRLF line ends, NUL bytes as data, the same caps and statuses.  Every line
 * with a quote, and every record it starts, goes to libcsv.  tests/fuzz/
 * fuzz_fastpath.c holds the two to the same records.
 *
 * A reader is used by one thread at a time; readers share nothing, so
 * several threads may each read their own. */
#ifndef KPO_CSVREAD_H
#define KPO_CSVREAD_H

#include <stddef.h>

enum kpo_rec_status {
	KPO_REC_OK,
	KPO_REC_FIELD_COUNT,    /* more or fewer fields than the header */
	KPO_REC_BAD_QUOTE,      /* a quote inside an unquoted field, or text after a closing quote;
	                         * the rest of its line is skipped */
	KPO_REC_TOO_LONG,       /* an unquoted field passed max_field; the rest of its line is skipped */
	KPO_REC_UNTERMINATED,   /* a quoted field never closed; the rest of the file is not read */
	KPO_REC_TOO_MANY_FIELDS, /* more than max_fields fields; the rest of its line is skipped */
	KPO_REC_RECORD_TOO_LONG, /* more than max_record bytes; the rest of its line is skipped, or,
	                          * when the cap falls inside a quoted field, of the file */
};
/* A record whose status is not OK or FIELD_COUNT has no fields (nf is 0). */

/* What went wrong with the input as a whole, and the exit status it maps to. */
enum kpo_csv_error {
	KPO_CSV_OK,
	KPO_CSV_EOPEN,  /* cannot open: EX_NOINPUT */
	KPO_CSV_EIO,    /* read error, truncated or corrupt gzip: EX_IOERR */
	KPO_CSV_EDATA,  /* unusable data (no header, encoding, file abandoned): EX_DATAERR */
	KPO_CSV_EUSAGE, /* unknown encoding: EX_USAGE */
};

struct kpo_record;

struct kpo_csv_opts {
	int delim;              /* 0 detects from the header among , ; TAB | */
	const char *encoding;   /* iconv name of the input, NULL for UTF-8 */
	size_t max_field;       /* 0: KPO_CSV_MAX_FIELD */
	int keep_blanks;        /* keep spaces and TABs around unquoted fields
	                         * (libcsv drops them by default, and asking it
	                         * to keep them costs a call a byte: ~13 % of
	                         * kpo-ingest's time) */
	size_t max_fields;      /* fields in a record, 0: KPO_CSV_MAX_FIELDS */
	size_t max_record;      /* bytes of a record (its raw text), 0: KPO_CSV_MAX_RECORD */
	int no_fast_path;       /* every record through libcsv (for tests) */
	size_t read_size;       /* bytes asked of each read, 0: 128 KiB (tests
	                         * use tiny reads to move the read boundaries) */
	/* Where the header is.  By default the first line.  With SKIP, line
	 * SKIP + 1.  With HEADER_SCORE, the first of the first
	 * KPO_CSV_HEADER_LINES lines whose record (split with that line's own
	 * most frequent delimiter) it scores at least HEADER_MIN (0: 3); the
	 * first line when none does (kpo_csv_header_found says which).  With
	 * NO_HEADER, no line: COLUMNS (comma-separated names) is the header. */
	long skip;
	int (*header_score)(const struct kpo_record *rec, void *ctx);
	void *header_ctx;
	int header_min;
	int no_header;
	const char *columns;
	int stdin_fd;           /* what "-" reads: 0, standard input; kpo-run's
	                         * stages read each other's pipes as "-" */
	struct kpo_csv_range *range;    /* only part of a plain file, or NULL */
};

/* Part of a plain (not gzip, UTF-8) file: its header is read as always, then
 * records from byte START (0: where the header left off), which must begin a
 * physical line, numbered LINE, up to the first one that would begin at or
 * past END (0: the end of the file).  A record that begins before END is read
 * to its end, wherever that is.  When no more records are read, STOP is
 * where the next one would have begun and STOP_LINE its line: the start of
 * the next part if, and only if, its START equals STOP.  STOP is
 * KPO_CSV_STOP_END when the file was read to its end or abandoned.  kpo-run
 * reads large files in parts this way, and checks each part's START against
 * the STOP of the part before (csvsplit.h). */
struct kpo_csv_range {
	unsigned long long start, end;
	long line;
	unsigned long long stop;
	long stop_line;
};
#define KPO_CSV_STOP_END (~0ULL)

#define KPO_CSV_HEADER_LINES 50

#define KPO_CSV_MAX_FIELD  (1u << 20)   /* 1 MiB */
#define KPO_CSV_MAX_FIELDS (1u << 17)   /* 131,072 fields */
#define KPO_CSV_MAX_RECORD (8u << 20)   /* 8 MiB of raw text */

struct kpo_record {
	size_t nf;
	char **f;               /* NUL-terminated; a field may hold NUL bytes, so use len */
	size_t *len;
	long line;              /* physical line of the record's first byte */
	const char *raw;        /* the record as read (UTF-8 after conversion), line end removed;
	                         * for a record past a cap, its lines up to the
	                         * one where the cap hit, cut to max_record bytes */
	size_t rawlen;
	enum kpo_rec_status status;
};

struct kpo_csv;

/* Opens PATH ("-" or NULL: standard input) and reads its header.  Never returns
 * NULL; check kpo_csv_error() (the message is in kpo_csv_message()). */
struct kpo_csv *kpo_csv_open(const char *path, const struct kpo_csv_opts *opts);

/* A reader of no records whose header is NAMES[0..NF) and whose name is
 * NAME: how kpo-run's stages, which hand each other records and not text,
 * map the header of the stream they would have read. */
struct kpo_csv *kpo_csv_of_header(const char *name, const char *const *names, size_t nf);

/* The byte of the file where the records after the header begin (after a
 * byte order mark, skipped lines and the header). */
unsigned long long kpo_csv_data_offset(const struct kpo_csv *r);

/* The header record, or NULL for an empty input. */
const struct kpo_record *kpo_csv_header(const struct kpo_csv *r);

/* 1: *rec holds the next record (valid until the next call); 0: end of input;
 * -1: the input failed, see kpo_csv_error(). */
int kpo_csv_next(struct kpo_csv *r, struct kpo_record **rec);

enum kpo_csv_error kpo_csv_error(const struct kpo_csv *r);
const char *kpo_csv_message(const struct kpo_csv *r);
const char *kpo_csv_name(const struct kpo_csv *r);     /* "-" for standard input */
char kpo_csv_delim(const struct kpo_csv *r);
unsigned long long kpo_csv_bytes(const struct kpo_csv *r); /* bytes parsed so far */
unsigned long long kpo_csv_offset(const struct kpo_csv *r); /* bytes of the file read so far (compressed) */
long kpo_csv_lines(const struct kpo_csv *r);             /* physical lines read so far */
long kpo_csv_skipped(const struct kpo_csv *r);           /* lines before the header, skipped */
/* 0 when a header was looked for (header_score) and no line looked like
 * one, so the first line was taken; 1 otherwise. */
int kpo_csv_header_found(const struct kpo_csv *r);

/* The reject kind of a record's status ("wrong field count", ...), NULL for
 * KPO_REC_OK: every stage names CSV damage the same way. */
const char *kpo_rec_status_kind(enum kpo_rec_status st);

/* The index of the field named exactly NAME in header H, or -1. */
int kpo_header_find(const struct kpo_record *h, const char *name);

/* "a, b, c": the header's names for a message, cut to SIZE bytes. */
void kpo_header_describe(const struct kpo_record *h, char *buf, size_t size);

/* Frees the reader; a file that was not read to its end is not checked. */
void kpo_csv_close(struct kpo_csv *r);

/* Maps a reader error to its sysexits status. */
int kpo_csv_exit_status(enum kpo_csv_error e);

#endif
