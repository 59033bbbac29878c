# KVM probe boot sector (source of the bytes in kvm-probe-image.ts; rebuild with scripts/build-kvm-probe).
# BIOS loads it at 0x7c00 in real mode. It reports progress on the debugcon port 0xe9 ('R' real mode,
# 'L' long mode) and exits qemu through isa-debug-exit (port 0xf4) once 64-bit code runs: on a host whose
# nested KVM cannot enter long mode the guest hangs after 'R', which is exactly what the probe must detect.
    .code16
    .globl _start
_start:
    cli
    xor %ax, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov $0x7c00, %sp
    mov $'R', %al
    out %al, $0xe9
    # identity-map the first 2 MiB: PML4 at 0x1000 -> PDPT at 0x2000 -> PD at 0x3000 (one 2 MiB page)
    mov $0x1000, %di
    xor %eax, %eax
    mov $0xc00, %cx
    rep stosl
    movl $0x2003, 0x1000
    movl $0x3003, 0x2000
    movl $0x83, 0x3000
    lgdtl gdt_ptr
    mov %cr4, %eax
    or $0x20, %eax              # PAE
    mov %eax, %cr4
    mov $0x1000, %eax
    mov %eax, %cr3
    mov $0xc0000080, %ecx       # EFER
    rdmsr
    or $0x100, %eax             # LME
    wrmsr
    mov %cr0, %eax
    or $0x80000001, %eax        # PG | PE: straight from real mode into long mode
    mov %eax, %cr0
    ljmpl $0x08, $long_mode
    .code64
long_mode:
    mov $'L', %al
    out %al, $0xe9
    mov $0x10, %al              # isa-debug-exit: qemu exits with (0x10 << 1) | 1 = 33
    out %al, $0xf4
1:  hlt
    jmp 1b
    .p2align 3
gdt:
    .quad 0
    .quad 0x00209a0000000000    # 64-bit code segment
gdt_ptr:
    .word gdt_ptr - gdt - 1
    .long gdt
    .org 510
    .word 0xaa55
