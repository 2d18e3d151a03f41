export default function Home() {
  return <a href="/about">About</a>;
}
