#!/usr/bin/env python3
# gen-samples.py - writes the generated /proc/interrupts samples of this corpus (deterministic).
import random

def header(cpus, prec):
    return " " * (prec + 2) + "".join("CPU%-8d" % c for c in cpus) + "\n"

def row(rid, counts, text, prec):
    return "%*s: " % (prec, rid) + "".join("%10u " % c for c in counts) + text + "\n"

def x86(n, nvirtio, seed, nvme=0, cpus=None):
    rnd = random.Random(seed)
    cpus = cpus or list(range(n))
    n = len(cpus)
    prec = 4 if nvme or nvirtio > 40 else 3
    def cnt(scale):
        return [rnd.randrange(scale) if rnd.random() < 0.5 else 0 for _ in cpus]
    out = [header(cpus, prec)]
    legacy = [(0, "IO-APIC   2-edge      timer"), (1, "IO-APIC   1-edge      i8042"),
              (8, "IO-APIC   8-edge      rtc0"), (9, "IO-APIC   9-fasteoi   acpi"),
              (12, "IO-APIC  12-edge      i8042"), (14, "IO-APIC  14-edge      ata_piix"),
              (15, "IO-APIC  15-edge      ata_piix"),
              (16, "IO-APIC  16-fasteoi   i801_smbus, uhci_hcd:usb1")]
    for i, t in legacy:
        out.append(row(str(i), cnt(5000), "  " + t, prec))
    irq = 24
    out.append(row(str(irq), cnt(100), "  PCI-MSI 16384-edge      aerdrv", prec)); irq += 1
    out.append(row(str(irq), cnt(100000), "  IR-PCI-MSI 327680-edge      xhci_hcd", prec)); irq += 1
    out.append(row(str(irq), cnt(100000), "  IR-PCI-MSI 512000-edge      ahci[0000:00:1f.2]", prec)); irq += 1
    out.append(row(str(irq), [0] * n, "  DMAR-MSI    0-edge      dmar0", prec)); irq += 1
    for v in range(nvirtio):
        hw = 49152 + v * 2048
        out.append(row(str(irq), cnt(10), "  PCI-MSI %d-edge      virtio%d-config" % (hw, v), prec)); irq += 1
        out.append(row(str(irq), cnt(3000), "  PCI-MSI %d-edge      virtio%d-virtqueues" % (hw + 1, v), prec)); irq += 1
    for q in range(nvme):
        out.append(row(str(irq), cnt(1000000), "  IR-PCI-MSI %d-edge      nvme0q%d" % (1048576 + q, q), prec)); irq += 1
    named = [("NMI", "Non-maskable interrupts"), ("LOC", "Local timer interrupts"),
             ("SPU", "Spurious interrupts"), ("PMI", "Performance monitoring interrupts"),
             ("IWI", "IRQ work interrupts"), ("RTR", "APIC ICR read retries"),
             ("RES", "Rescheduling interrupts"), ("CAL", "Function call interrupts"),
             ("TLB", "TLB shootdowns"), ("TRM", "Thermal event interrupts"),
             ("THR", "Threshold APIC interrupts"), ("DFR", "Deferred Error APIC interrupts"),
             ("MCE", "Machine check exceptions"), ("MCP", "Machine check polls")]
    for rid, t in named:
        out.append(row(rid, cnt(900000), "  " + t, prec))
    out.append("%*s: %10u\n" % (prec, "ERR", 0))
    out.append("%*s: %10u\n" % (prec, "MIS", 0))
    for rid, t in [("PIN", "Posted-interrupt notification event"),
                   ("NPI", "Nested posted-interrupt event"),
                   ("PIW", "Posted-interrupt wakeup event")]:
        out.append(row(rid, cnt(10), "  " + t, prec))
    return "".join(out)

def arm(n, seed):
    rnd = random.Random(seed)
    prec = 3
    cpus = list(range(n))
    def cnt(scale):
        return [rnd.randrange(scale) for _ in cpus]
    out = [header(cpus, prec)]
    rows = [(11, "GICv3  27 Level     arch_timer"), (13, "GICv3  33 Level     uart-pl011"),
            (14, "GICv3  23 Level     arm-pmu"), (15, "GICv3  34 Level     rtc-pl031"),
            (16, "GICv3  36 Edge      ACPI:Ged")]
    for i, t in rows:
        out.append(row(str(i), cnt(50000), "    " + t, prec))
    irq = 17
    for v in range(4):
        out.append(row(str(irq), [0] * n, " ITS-MSI %d Edge      virtio%d-config" % (16384 + 2 * v, v), prec)); irq += 1
        out.append(row(str(irq), cnt(2000), " ITS-MSI %d Edge      virtio%d-virtqueues" % (16385 + 2 * v, v), prec)); irq += 1
    for q in range(n):
        out.append(row(str(irq), cnt(90000), " ITS-MSI %d Edge      nvme0q%d" % (524288 + q, q), prec)); irq += 1
    ipis = ["Rescheduling interrupts", "Function call interrupts", "CPU stop interrupts",
            "CPU stop (for crash dump) interrupts", "Timer broadcast interrupts",
            "IRQ work interrupts", "CPU wake-up interrupts"]
    for i, t in enumerate(ipis):
        out.append(row("IPI%d" % i, cnt(3000), "      " + t, prec))
    out.append("%*s: %10u\n" % (prec, "Err", 0))
    return "".join(out)

def write(name, text):
    with open(name, "w") as f:
        f.write(text)

write("x86-4cpu.txt", x86(4, 4, 4))
write("x86-8cpu.txt", x86(8, 8, 8))
write("x86-64cpu.txt", x86(64, 16, 64, nvme=64))
write("x86-256cpu.txt", x86(256, 32, 256, nvme=256))
write("arm64-gicv3-its-8cpu.txt", arm(8, 88))

def unplug(text):
    # CPU1 goes offline; the others count on; LOC on CPU0 was reset; virtio1-config removed;
    # a new device appears.
    lines = text.splitlines()
    out = [header([0, 2, 3], 3)]
    for i, l in enumerate(lines[1:]):
        rid, rest = l.split(":", 1)
        toks = rest.split()
        if rid.strip() in ("ERR", "MIS"):
            out.append("%3s: %10u\n" % (rid.strip(), int(toks[0]) + 2))
            continue
        counts = [int(t) for t in toks[:4]]
        txt = rest[4 * 11 + 1:]
        if "virtio1-config" in txt:
            continue
        new = [counts[0] + i % 5, counts[2] + i % 3, counts[3] + i % 2]
        if rid.strip() == "LOC":
            new[0] = 5
        out.append(row(rid.strip(), new, txt, 3))
        if "virtio1-virtqueues" in txt:
            out.append(row("60", [1, 2, 3], "  PCI-MSI 65536-edge      virtio9-input.0", 3))
    return "".join(out)

before = x86(4, 2, 7)
write("hotplug-before.txt", before)
write("hotplug-after.txt", unplug(before))
