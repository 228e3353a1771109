/*
 * bcryptprimitives.dll for Wine 8 (Debian 12), used only by ./dev to run
 * Windows builds under Wine: never shipped. Go 1.22+ programs get their
 * random numbers from ProcessPrng in this Windows 10 DLL and stop at start-up
 * without it; Wine 8 does not have the DLL. This one answers from
 * RtlGenRandom (advapi32's SystemFunction036), which Wine has.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
	while (length > 0) {
		ULONG n = length > 0x40000000 ? 0x40000000 : (ULONG)length;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		length -= n;
	}
	return TRUE;
}
