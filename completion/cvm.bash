# bash completion for cvm-run and cvm-measure, installed under both names.
# Option names come from the programs' own --help, so they never drift.

_cvm_words() {  # _cvm_words WORD...: complete the current word from WORDs
	local IFS=$'\n'
	COMPREPLY=($(compgen -W "$*" -- "$cur"))
}

_cvm() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} prog=$1
	local IFS=$' \t\n'

	# "snp:svsm" with ':' in COMP_WORDBREAKS: complete the part after ':'.
	if [[ $cur == : || $prev == : ]]; then
		return 0
	fi
	case $prev in
	--mode)
		_cvm_words sev seves snp snp:ovmf-hash snp:svsm tdx cca
		return 0 ;;
	--output-format) _cvm_words hex base64 json rvps corim; return 0 ;;
	--tee) _cvm_words none sw-protected sev sev-es snp tdx pkvm realm; return 0 ;;
	--rmm) _cvm_words 1.0 2.0; return 0 ;;
	--hash) _cvm_words sha256 sha384 sha512; return 0 ;;
	--vmm-type) _cvm_words QEMU ec2 gce; return 0 ;;
	--vcpu-type)
		_cvm_words $("$prog" --help 2>/dev/null |
			sed -n 's/.*QEMU vCPU model: \([^(]*\).*/\1/p' | tr -d ,)
		return 0 ;;
	--tdx-page-order) _cvm_words single-pass two-pass; return 0 ;;
	--tdx-separator) _cvm_words post-202411 pre-202411; return 0 ;;
	--tdx-vmm) _cvm_words qemu cvm-run; return 0 ;;
	--memory-backend) _cvm_words guest-memfd anon; return 0 ;;
	--pit) _cvm_words on off; return 0 ;;
	--console) _cvm_words stdio file:; return 0 ;;
	--kernel | -k | --initrd | -i | --ovmf | --svsm | --vars-file | --acpi-tables | \
	--acpi-rsdp | --acpi-loader | --dump-td-hob | --config | --realm-ops)
		COMPREPLY=($(compgen -f -- "$cur"))
		return 0 ;;
	esac
	if [[ $cur == -* ]]; then
		_cvm_words $("$prog" --help 2>/dev/null | grep -o -- '--[a-z0-9-]*' | sort -u)
	elif ((COMP_CWORD == 1)); then
		case ${prog##*/} in
		cvm-run) _cvm_words check ;;
		cvm-measure) _cvm_words firmware-info ;;
		esac
	fi
	return 0
}

complete -F _cvm -o default cvm-run cvm-measure
