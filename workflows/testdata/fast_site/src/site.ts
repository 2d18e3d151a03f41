export interface Site {
  siteName: string;
}

export const pageCount: number = 3;

export function title(site: Site): string {
  return `${site.siteName} (${pageCount} pages)`;
}
