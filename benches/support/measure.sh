# Shared by benches/peer.sh, benches/open-in-libreoffice.sh and benches/scale.sh (sourced).
#
# `once FILE CMD...` runs CMD once under /usr/bin/time -v, bounded by $MEM_LIMIT_GB of
# address space and $TIMEOUT seconds, and appends one line to FILE. Peak
# memory is the maximum resident set size the kernel reports for the process and the
# children it waited for (LibreOffice's soffice.bin included); CPU is user + sys seconds,
# steadier than wall time on a shared machine: "wall_s peak_MB exit cpu_s".
# `median FILE COLUMN` prints the median of a column of FILE.

MEM_LIMIT_GB=${MEM_LIMIT_GB:-14}
TIMEOUT=${TIMEOUT:-900}

once() {
    local file=$1
    shift
    local log
    log=$(mktemp)
    local status=0
    (ulimit -v $((MEM_LIMIT_GB * 1024 * 1024)) && timeout "$TIMEOUT" /usr/bin/time -v -o "$log" "$@") \
        >/dev/null 2>"$log.err" || status=$?
    if [ "$status" -ne 0 ]; then
        echo "  failed (exit $status): $*" >&2
        tail -n 3 "$log.err" >&2
    fi
    awk -v s="$status" '
        /Elapsed \(wall clock\)/ { n = split($NF, p, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + p[i] }
        /Maximum resident set size/ { m = $NF / 1024 }
        /User time \(seconds\)/ { u = $NF }
        /System time \(seconds\)/ { y = $NF }
        END { printf "%.3f %.1f %d %.2f\n", w, m, s, u + y }' "$log" >>"$file"
    rm -f "$log" "$log.err"
}

median() {
    awk -v c="$2" '{print $c}' "$1" | sort -g |
        awk '{a[NR] = $1} END {if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'
}

# The worst exit status in FILE (0 when every run succeeded).
worst_exit() { awk 'BEGIN {w = 0} $3 > w {w = $3} END {print w}' "$1"; }

machine() {
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
}

# verdict MEASURED OP GOAL: "met" or "MISSED" (OP is <= or >=).
verdict() {
    awk -v m="$1" -v op="$2" -v g="$3" 'BEGIN {
        if (m == "nan") { print "not measured"; exit }
        ok = (op == "<=") ? (m <= g) : (m >= g); print ok ? "met" : "MISSED" }'
}
