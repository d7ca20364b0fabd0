export async function resync() {}
export async function alerts() {}
