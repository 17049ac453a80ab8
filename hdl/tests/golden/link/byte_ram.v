

module t_byte_ram(clock,read_addr,read_enable,read_data,write_addr,write_data,write_enable);
    
    // Module arguments
    input wire  clock;
    input wire  [12:0] read_addr;
    input wire  read_enable;
    output reg  [7:0] read_data;
    input wire  [12:0] write_addr;
    input wire  [7:0] write_data;
    input wire  write_enable;
    
    // Update code (custom)
    (* ram_style = "block" *) reg [7:0] mem [0:47];
    `ifdef VERILATOR
      string mem_dir;
      initial begin
        if (!$value$plusargs("bitloom_mem_dir=%s", mem_dir)) mem_dir = ".";
        $readmemh({mem_dir, "/t_byte_ram.mem"}, mem);
      end
    `else
      initial $readmemh("t_byte_ram.mem", mem);
    `endif
    always @(posedge clock) begin
        if (read_enable) read_data <= mem[read_addr];
        if (write_enable) mem[write_addr] <= write_data;
    end
endmodule // t_byte_ram
